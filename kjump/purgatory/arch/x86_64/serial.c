/* Polled COM1 output and halt, for the purgatory's only message (a corrupt helper). */
#include <stdint.h>

#include "kjump/purgatory/purgatory.h"

#define COM1 0x3f8
#define LSR 5               /* line status register */
#define LSR_THRE 0x20       /* transmit holding register empty */
#define SPIN_LIMIT 100000   /* no UART at all must not hang us before the halt */

static void outb(uint8_t v, uint16_t port)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void serial_puts(const char *s)
{
	for (; *s; s++) {
		unsigned spin = 0;

		while (!(inb(COM1 + LSR) & LSR_THRE) && ++spin < SPIN_LIMIT)
			;
		outb((uint8_t)*s, COM1);
	}
}

void halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}
