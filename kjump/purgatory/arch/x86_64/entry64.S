/* Purgatory entry and exit, x86_64.
 *
 * Entry convention (Linux 6.12 x86_64, arch/x86/kernel/relocate_kernel_64.S, identity_mapped,
 * preserve-context path): the old kernel pops our start address, sets %rsp to the top of its
 * swap page and does "call *%rdx". So on entry 0(%rsp) holds the old kernel's re-entry address:
 * a return address inside its kexec control page. The helper kernel's own relocate_kernel later
 * returns there with "call *%rdx" too, and the old kernel reads the helper's re-entry address
 * from 0(%rsp) at that moment. We never run again after the first entry: the old kernel
 * re-enters the helper where it stopped. With a plain kexec (no preserve-context) the old
 * kernel "ret"s to us instead and 0(%rsp) is 0; the loader then leaves KJ_PURGATORY_F_JUMP
 * clear and the C part ignores the word. Linux 6.14 changed this convention ("Fix stack and
 * handling of re-entry point for ::preserve_context"): revisit this file before using a
 * newer kernel as the old one.
 *
 * CPU state on entry: long mode, the old kernel's identity page tables (they map our
 * segments), interrupts off, the old kernel's GDT (not guaranteed mapped): we load our own.
 */
	.section .text.entry, "ax"
	.code64
	.globl purgatory_entry
purgatory_entry:
	movq	(%rsp), %rdi		/* re-entry address of the old kernel */
	leaq	stack_end(%rip), %rsp
	call	purgatory_main		/* does not return */
1:	hlt
	jmp	1b

/* void enter_kernel(uint64_t entry, uint64_t boot_params): the Linux 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): flat __BOOT_CS (0x10) and
 * __BOOT_DS (0x18), interrupts off, %rsi = boot_params, identity-mapped paging. */
	.text
	.globl enter_kernel
enter_kernel:
	movq	%rdi, %r8
	leaq	gdt(%rip), %rax
	movq	%rax, gdt_desc + 2(%rip)	/* base = where we run (identity mapped) */
	lgdt	gdt_desc(%rip)
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	leaq	2f(%rip), %rax
	pushq	$0x10
	pushq	%rax
	lretq				/* reload %cs with __BOOT_CS */
2:	xorl	%ebp, %ebp
	xorl	%edi, %edi
	jmp	*%r8			/* %rsi is still boot_params */

	.data
	.balign 16
gdt:
	.quad	0
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x10: 64-bit code, flat */
	.quad	0x00cf92000000ffff	/* 0x18: data, flat 4 GiB */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	0

	.section .kj.stack, "aw"
	.balign 16
	.skip	8192
stack_end:

	.section .note.GNU-stack, "", @progbits
