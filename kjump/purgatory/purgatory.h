/* Internal interfaces of the purgatory: the C part (purgatory.c) and the arch parts it calls. */
#ifndef KJ_PURGATORY_H
#define KJ_PURGATORY_H

#include <stdint.h>

/* Called by the entry stub on the purgatory's own stack; reentry = the word at 0(%rsp). */
void purgatory_main(uint64_t reentry) __attribute__((noreturn));

/* arch/x86_64/serial.c: polled output on COM1, for the one fatal message. */
void serial_puts(const char *s);
void halt(void) __attribute__((noreturn));

/* arch/x86_64/entry64.S: load the boot GDT, %rsi = boot_params, jump to entry. */
void enter_kernel(uint64_t entry, uint64_t boot_params) __attribute__((noreturn));

#endif
