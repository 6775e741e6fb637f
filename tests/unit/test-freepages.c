/* Unit tests: A's vmcoreinfo note, the page-table walk, the buddy scan and the range cutting
 * of the free-page filter, on a fake physical memory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper/freepages.h"
#include "helper/physmem.h"

/* The note of our kernel (6.12.117, build/kernel/config), read from /dev/mem in a guest at
 * the address /sys/kernel/vmcoreinfo gave. */
static const char real_note[] =
	"OSRELEASE=6.12.117\n"
	"BUILD-ID=001f7e78af35e0bcbf5f14631a0ae4c7f347377a\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff818be880\n"
	"OFFSET(uts_namespace.name)=0\n"
	"SYMBOL(node_online_map)=ffffffff818c3ae8\n"
	"SYMBOL(swapper_pg_dir)=ffffffff81829000\n"
	"SYMBOL(_stext)=ffffffff81000000\n"
	"NUMBER(VMALLOC_START)=0xffffc90000000000\n"
	"SYMBOL(mem_map)=ffffffff819d4700\n"
	"SYMBOL(contig_page_data)=ffffffff818beb00\n"
	"SYMBOL(vmemmap)=ffffea0000000000\n"
	"SYMBOL(mem_section)=ffff88803f06e000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(mem_section)=16\n"
	"OFFSET(mem_section.section_mem_map)=0\n"
	"NUMBER(SECTION_SIZE_BITS)=27\n"
	"NUMBER(MAX_PHYSMEM_BITS)=46\n"
	"SIZE(page)=64\n"
	"SIZE(pglist_data)=4544\n"
	"SIZE(zone)=1216\n"
	"SIZE(free_area)=72\n"
	"SIZE(list_head)=16\n"
	"SIZE(nodemask_t)=8\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(page.compound_head)=8\n"
	"OFFSET(pglist_data.node_zones)=0\n"
	"OFFSET(pglist_data.nr_zones)=3712\n"
	"OFFSET(pglist_data.node_start_pfn)=3720\n"
	"OFFSET(pglist_data.node_spanned_pages)=3736\n"
	"OFFSET(pglist_data.node_id)=3744\n"
	"OFFSET(zone.free_area)=192\n"
	"OFFSET(zone.vm_stat)=1088\n"
	"OFFSET(zone.spanned_pages)=136\n"
	"OFFSET(free_area.free_list)=0\n"
	"OFFSET(list_head.next)=0\n"
	"OFFSET(list_head.prev)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"SYMBOL(prb)=ffffffff818363a8\n"
	"SYMBOL(printk_rb_static)=ffffffff818363c0\n"
	"SYMBOL(clear_seq)=ffffffff819d18c0\n"
	"SIZE(printk_ringbuffer)=88\n"
	"OFFSET(printk_ringbuffer.desc_ring)=0\n"
	"OFFSET(printk_ringbuffer.text_data_ring)=48\n"
	"OFFSET(printk_ringbuffer.fail)=80\n"
	"SIZE(prb_desc_ring)=48\n"
	"OFFSET(prb_desc_ring.count_bits)=0\n"
	"OFFSET(prb_desc_ring.descs)=8\n"
	"OFFSET(prb_desc_ring.infos)=16\n"
	"OFFSET(prb_desc_ring.head_id)=24\n"
	"OFFSET(prb_desc_ring.tail_id)=32\n"
	"SIZE(prb_desc)=24\n"
	"OFFSET(prb_desc.state_var)=0\n"
	"OFFSET(prb_desc.text_blk_lpos)=8\n"
	"SIZE(prb_data_blk_lpos)=16\n"
	"OFFSET(prb_data_blk_lpos.begin)=0\n"
	"OFFSET(prb_data_blk_lpos.next)=8\n"
	"SIZE(printk_info)=88\n"
	"OFFSET(printk_info.seq)=0\n"
	"OFFSET(printk_info.ts_nsec)=8\n"
	"OFFSET(printk_info.text_len)=16\n"
	"OFFSET(printk_info.caller_id)=20\n"
	"OFFSET(printk_info.dev_info)=24\n"
	"SIZE(dev_printk_info)=64\n"
	"OFFSET(dev_printk_info.subsystem)=0\n"
	"LENGTH(printk_info_subsystem)=16\n"
	"OFFSET(dev_printk_info.device)=16\n"
	"LENGTH(printk_info_device)=48\n"
	"SIZE(prb_data_ring)=32\n"
	"OFFSET(prb_data_ring.size_bits)=0\n"
	"OFFSET(prb_data_ring.data)=8\n"
	"OFFSET(prb_data_ring.head_lpos)=16\n"
	"OFFSET(prb_data_ring.tail_lpos)=24\n"
	"SIZE(atomic_long_t)=8\n"
	"OFFSET(atomic_long_t.counter)=0\n"
	"SIZE(latched_seq)=24\n"
	"OFFSET(latched_seq.val)=8\n"
	"LENGTH(free_area.free_list)=4\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=5\n"
	"NUMBER(PG_private)=14\n"
	"NUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=17\n"
	"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n"
	"NUMBER(PG_head_mask)=64\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240\n"
	"NUMBER(phys_base)=0\n"
	"SYMBOL(init_top_pgt)=ffffffff81829000\n"
	"NUMBER(pgtable_l5_enabled)=0\n"
	"KERNELOFFSET=0\n"
	"NUMBER(KERNEL_IMAGE_SIZE)=536870912\n"
	"NUMBER(sme_mask)=0\n";

#define MiB (1ull << 20)
#define KMAP 0xffffffff80000000ull /* __START_KERNEL_map */
#define VMEMMAP 0xffffea0000000000ull

/* ---- fake physical memory: phys [0, 16 MiB) ---- */

#define MEM_SIZE (16 * MiB)
#define NOTE_PA 0x300000ull
#define PHYS_BASE 0x400000ull
#define TOP_PA 0x500000ull          /* init_top_pgt */
#define TOP_VA (KMAP + 0x100000)    /* maps to PHYS_BASE + 0x100000 = TOP_PA */
#define PAGES_PA 0x800000ull        /* struct pages, 64 pages mapped in reverse order */
#define NR_PFNS 4096u               /* pfns with a struct page: all of the fake memory */
#define DATA_PFN 0xa00u             /* pfns from here on hold `fill` bytes: "RAM" to scan */
#define PAGE_SZ 64u
#define OFF_TYPE 48u
#define OFF_PRIVATE 40u
#define UNTYPED 0xffffffffu
#define BUDDY 0xf0000000u

struct fake {
	uint8_t *mem;
	uint64_t next_table;  /* next free page-table page */
	unsigned reads;
};

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake *f = ctx;

	f->reads++;
	if (addr > MEM_SIZE || len > MEM_SIZE - addr)
		return -EFAULT;
	memcpy(buf, f->mem + addr, len);
	return 0;
}

static void put64(struct fake *f, uint64_t pa, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		f->mem[pa + i] = (uint8_t)(v >> 8 * i);
}

static uint64_t get64(struct fake *f, uint64_t pa)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | f->mem[pa + i];
	return v;
}

/* Maps va to pa with a page of 4 KiB (level 1), 2 MiB (2) or 1 GiB (3), making tables. */
static void map(struct fake *f, uint64_t va, uint64_t pa, unsigned page_level)
{
	uint64_t table = TOP_PA;

	for (unsigned level = 4; level > page_level; level--) {
		uint64_t slot = table + ((va >> (12 + 9 * (level - 1))) & 511) * 8, e = get64(f, slot);

		if (!(e & 1)) {
			e = f->next_table | 0x63;  /* present, writable, accessed, dirty */
			f->next_table += 4096;
			put64(f, slot, e);
		}
		table = e & 0x000ffffffffff000ull;
	}
	put64(f, table + ((va >> (12 + 9 * (page_level - 1))) & 511) * 8,
	      pa | 0x63 | (page_level > 1 ? 0x80 : 0));
}

static const char *synthetic_note(int buddy)
{
	static char text[1024];

	snprintf(text, sizeof(text),
		 "OSRELEASE=6.12.0-test\nPAGESIZE=4096\nSYMBOL(vmemmap)=%llx\nSIZE(page)=%u\n"
		 "OFFSET(page._mapcount)=%u\nOFFSET(page.private)=%u\nLENGTH(zone.free_area)=11\n"
		 "NUMBER(MAX_PHYSMEM_BITS)=46\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=%d\n"
		 "NUMBER(phys_base)=%llu\nSYMBOL(init_top_pgt)=%llx\nNUMBER(pgtable_l5_enabled)=0\n"
		 "KERNELOFFSET=0\nNUMBER(sme_mask)=0\n",
		 VMEMMAP, PAGE_SZ, OFF_TYPE, OFF_PRIVATE, buddy, PHYS_BASE, TOP_VA);
	return text;
}

static void put_note(struct fake *f, const char *text, size_t len)
{
	uint8_t *p = f->mem + NOTE_PA;

	p[0] = 11;
	p[4] = (uint8_t)len;
	p[5] = (uint8_t)(len >> 8);
	memcpy(p + 12, "VMCOREINFO", 11);
	memcpy(p + 24, text, len);
}

static void set_page(struct fake *f, uint64_t pfn, uint32_t type, uint64_t private)
{
	uint64_t va_off = pfn * PAGE_SZ, pa = PAGES_PA + (63 - va_off / 4096) * 4096 + va_off % 4096;

	for (int i = 0; i < 4; i++)
		f->mem[pa + OFF_TYPE + i] = (uint8_t)(type >> 8 * i);
	put64(f, pa + OFF_PRIVATE, private);
}

/* The kernel image mapped with a 2 MiB page, the struct pages with 4 KiB pages (vmemmap page
 * i at PAGES_PA + (63 - i) pages, so a batch is never contiguous), every page untyped, the
 * "RAM" filled with `fill`, the note `buddy` flavour. */
static struct fake *fake_new(uint8_t fill, int buddy)
{
	struct fake *f = calloc(1, sizeof(*f));
	const char *note = synthetic_note(buddy);

	assert_non_null(f);
	f->mem = calloc(1, MEM_SIZE);
	assert_non_null(f->mem);
	f->next_table = TOP_PA + 4096;
	map(f, KMAP, PHYS_BASE, 2);
	for (uint64_t i = 0; i < NR_PFNS * PAGE_SZ / 4096; i++)
		map(f, VMEMMAP + i * 4096, PAGES_PA + (63 - i) * 4096, 1);
	for (uint64_t pfn = 0; pfn < NR_PFNS; pfn++)
		set_page(f, pfn, UNTYPED, 0);
	memset(f->mem + DATA_PFN * 4096ull, fill, MEM_SIZE - DATA_PFN * 4096ull);
	put_note(f, note, strlen(note));
	return f;
}

static void fake_free(struct fake *f)
{
	free(f->mem);
	free(f);
}

/* ---- vmcoreinfo ---- */

static void test_parse_real_note(void **state)
{
	struct khh_vmcoreinfo vi;

	(void)state;
	assert_int_equal(khh_vmcoreinfo_parse(real_note, strlen(real_note), &vi), 0);
	assert_int_equal(vi.phys_base, 0);
	assert_int_equal(vi.init_top_pgt, 0xffffffff81829000ull);
	assert_int_equal(vi.vmemmap, VMEMMAP);
	assert_int_equal(vi.sme_mask, 0);
	assert_int_equal(vi.levels, 4);
	assert_int_equal(vi.max_physmem_bits, 46);
	assert_int_equal(vi.page_size, 64);
	assert_int_equal(vi.off_page_type, 48);
	assert_int_equal(vi.off_private, 40);
	assert_int_equal(vi.buddy, 0xf0000000u);
	assert_int_equal(vi.nr_orders, 11);
}

/* Replaces the line starting with `key` by `line` (NULL: removes it), then appends `extra`. */
static char *edit_note(const char *key, const char *line, const char *extra)
{
	size_t klen = strlen(key);
	char *out = calloc(1, sizeof(real_note) + 256), *o = out;

	assert_non_null(out);
	for (const char *p = real_note; *p;) {
		const char *nl = strchr(p, '\n') + 1;

		if (strncmp(p, key, klen)) {
			memcpy(o, p, (size_t)(nl - p));
			o += nl - p;
		} else if (line) {
			o += sprintf(o, "%s\n", line);
		}
		p = nl;
	}
	strcat(o, extra);
	return out;
}

static void test_parse_bad_notes(void **state)
{
	static const struct {
		const char *key, *line, *extra;
		int err;
	} cases[] = {
		{ "SYMBOL(vmemmap)", NULL, "", -EPROTONOSUPPORT },          /* missing */
		{ "SIZE(page)", NULL, "", -EPROTONOSUPPORT },
		{ "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", NULL, "", -EPROTONOSUPPORT },
		{ "PAGESIZE", "PAGESIZE=65536", "", -EPROTONOSUPPORT },
		{ "SIZE(page)", "SIZE(page)=64", "SIZE(page)=64\n", -EBADMSG },  /* twice */
		{ "SIZE(page)", "SIZE(page)=64x", "", -EBADMSG },
		{ "SIZE(page)", "SIZE(page)=-64", "", -EBADMSG },
		{ "SIZE(page)", "SIZE(page)=", "", -EBADMSG },
		{ "SIZE(page)", "SIZE(page)=99999999999999999999999", "", -EBADMSG },
		{ "SYMBOL(vmemmap)", "SYMBOL(vmemmap)=0xffffea0000000000", "", -EBADMSG },
		{ "SYMBOL(vmemmap)", "SYMBOL(vmemmap)=1ffffea0000000000", "", -EBADMSG },
		{ "SYMBOL(vmemmap)", "SYMBOL(vmemmap)=0000ea0000000000", "", -EBADMSG }, /* not canonical */
		{ "SYMBOL(init_top_pgt)", "SYMBOL(init_top_pgt)=ffffffff81829008", "", -EBADMSG },
		{ "OFFSET(page.private)", "OFFSET(page.private)=60", "", -EPROTONOSUPPORT },
		{ "OFFSET(page._mapcount)", "OFFSET(page._mapcount)=4294967296", "", -EPROTONOSUPPORT },
		{ "LENGTH(zone.free_area)", "LENGTH(zone.free_area)=0", "", -EPROTONOSUPPORT },
		{ "LENGTH(zone.free_area)", "LENGTH(zone.free_area)=64", "", -EPROTONOSUPPORT },
		{ "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-1", "",
		  -EPROTONOSUPPORT },  /* an unmapped page's _mapcount */
		{ "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=5", "",
		  -EPROTONOSUPPORT },
		{ "NUMBER(pgtable_l5_enabled)", "NUMBER(pgtable_l5_enabled)=2", "", -EPROTONOSUPPORT },
		{ "NUMBER(MAX_PHYSMEM_BITS)", "NUMBER(MAX_PHYSMEM_BITS)=64", "", -EPROTONOSUPPORT },
		{ "KERNELOFFSET", "KERNELOFFSET", "", -EBADMSG },          /* no '=' */
		{ "KERNELOFFSET", "", "", -EBADMSG },                      /* empty line */
		/* Accepted: optional fields absent, other kernels' values, lines not used. */
		{ "NUMBER(sme_mask)", NULL, "", 0 },
		{ "NUMBER(pgtable_l5_enabled)", NULL, "", 0 },
		{ "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-128", "", 0 },
		{ "NUMBER(phys_base)", "NUMBER(phys_base)=16777216", "CRASHTIME=1700000000\n", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = edit_note(cases[i].key, cases[i].line, cases[i].extra);
		struct khh_vmcoreinfo vi;

		if (khh_vmcoreinfo_parse(text, strlen(text), &vi) != cases[i].err)
			fail_msg("case %zu (%s)", i, cases[i].line ? cases[i].line : cases[i].key);
		free(text);
	}
}

static void test_parse_truncated(void **state)
{
	struct khh_vmcoreinfo vi;
	const char *cut = strstr(real_note, "SIZE(page)=64\n");

	(void)state;
	/* Not NUL-terminated where it stops: a value cut short is read as it is. */
	assert_int_equal(khh_vmcoreinfo_parse(real_note, (size_t)(cut - real_note) + 12, &vi),
			 -EPROTONOSUPPORT);
	assert_int_equal(khh_vmcoreinfo_parse(real_note, 0, &vi), -EPROTONOSUPPORT);
}

static void test_read_note(void **state)
{
	struct fake *f = fake_new(0x5a, (int)BUDDY);
	struct khh_physread m = { fake_read, f };
	struct khh_vmcoreinfo vi;

	(void)state;
	put_note(f, real_note, strlen(real_note));
	assert_int_equal(khh_vmcoreinfo_read(&m, NOTE_PA, 4132, &vi), 0);
	assert_int_equal(vi.vmemmap, VMEMMAP);
	assert_int_equal(khh_vmcoreinfo_read(&m, NOTE_PA, 1024, &vi), -EBADMSG); /* desc past the end */
	assert_int_equal(khh_vmcoreinfo_read(&m, NOTE_PA, 1u << 20, &vi), -EBADMSG);
	assert_int_equal(khh_vmcoreinfo_read(&m, MEM_SIZE - 100, 4132, &vi), -EFAULT);
	f->mem[NOTE_PA + 12] = 'X';  /* another note's name */
	assert_int_equal(khh_vmcoreinfo_read(&m, NOTE_PA, 4132, &vi), -EBADMSG);
	fake_free(f);
}

/* ---- page-table walk ---- */

static void vi_of(struct fake *f, struct khh_vmcoreinfo *vi)
{
	struct khh_physread m = { fake_read, f };

	assert_int_equal(khh_vmcoreinfo_read(&m, NOTE_PA, 4096, vi), 0);
}

static void test_vtop(void **state)
{
	struct fake *f = fake_new(0x5a, (int)BUDDY);
	struct khh_physread m = { fake_read, f };
	struct khh_vmcoreinfo vi;
	static const struct {
		uint64_t va;
		int err;
		uint64_t pa, len;
	} cases[] = {
		{ TOP_VA, 0, TOP_PA, 0x100000 },                         /* 2 MiB page */
		{ KMAP + 0x1fffff, 0, PHYS_BASE + 0x1fffff, 1 },
		{ VMEMMAP, 0, PAGES_PA + 63 * 4096, 4096 },              /* 4 KiB pages */
		{ VMEMMAP + 4096 + 100, 0, PAGES_PA + 62 * 4096 + 100, 4096 - 100 },
		{ 0xffff888040000000ull + 0x1234, 0, 0x80000000ull + 0x1234, (1ull << 30) - 0x1234 },
		{ 0xffff888040000000ull - 1, -EBADMSG, 0, 0 },           /* PDPT entry not present */
		{ VMEMMAP + 64 * 4096, -EBADMSG, 0, 0 },                 /* PTE not present */
		{ KMAP + 0x200000, -EBADMSG, 0, 0 },                     /* PDE not present */
		{ 0xffff900000000000ull, -EBADMSG, 0, 0 },               /* PML4 entry not present */
		{ 0x0000800000000000ull, -EBADMSG, 0, 0 },               /* not canonical */
		{ 0xffff000000000000ull, -EBADMSG, 0, 0 },               /* PS at level 4 */
		{ 0xffff888100000000ull, -EBADMSG, 0, 0 },               /* beyond MAX_PHYSMEM_BITS */
	};

	(void)state;
	vi_of(f, &vi);
	map(f, 0xffff888040000000ull, 0x80000000ull, 3);             /* a 1 GiB page */
	map(f, 0xffff888100000000ull, 1ull << 46, 3);
	put64(f, TOP_PA + 0x1e0 * 8, 0x600000 | 0xe3);                /* PS in a PML4 entry */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t pa = 0, len = 0;
		int r = khh_vtop(&vi, &m, cases[i].va, &pa, &len);

		if (r != cases[i].err || (!r && (pa != cases[i].pa || len != cases[i].len)))
			fail_msg("case %zu: %d pa %llx len %llx", i, r, (unsigned long long)pa,
				 (unsigned long long)len);
	}
	fake_free(f);
}

/* ---- the filter ---- */

struct block {
	uint64_t pfn;
	uint32_t type;
	uint64_t order;
};

static const struct scan_case {
	const char *name;
	struct khi_range in[3];
	struct block blocks[6];
	int err;
	struct khi_range want[6];
	uint64_t free;
} scan_cases[] = {
	{ "orders 0 to 8, at both edges of a range",
	  { { 0xb00, 0x300 } },
	  { { 0xb00, BUDDY, 8 }, { 0xc00, BUDDY, 0 }, { 0xc02, BUDDY, 1 }, { 0xde0, BUDDY, 5 },
	    { 0xdf0, BUDDY, 4 } /* inside the order-5 block: never read */ },
	  0, { { 0xc01, 1 }, { 0xc04, 0x1dc }, }, 0x100 + 1 + 2 + 0x20 },
	{ "two ranges: blocks at each, adjacent blocks, other types",
	  { { 0xa10, 0xf0 }, { 0xc00, 0x200 } },
	  { { 0xa40, BUDDY, 6 }, { 0xa80, BUDDY | 0x123, 6 }, { 0xc00, 0xf5000000, 3 },
	    { 0xc10, BUDDY, 4 }, { 0xdfe, BUDDY, 1 } },
	  0, { { 0xa10, 0x30 }, { 0xac0, 0x40 }, { 0xc00, 0x10 }, { 0xc20, 0x1de } },
	  0x80 + 0x10 + 2 },
	{ "a block over two touching ranges is cut at their border",
	  { { 0xa00, 0x100 }, { 0xb00, 0x200 } },
	  { { 0xa00, BUDDY, 9 } }, 0, { { 0xc00, 0x100 } }, 0x200 },
	{ "a range starting inside a free block saves its tail",
	  { { 0xa10, 0xf0 } }, { { 0xa00, BUDDY, 5 } }, 0, { { 0xa10, 0xf0 } }, 0 },
	{ "a block running past its range", { { 0xa00, 0x180 }, { 0xc00, 0x100 } },
	  { { 0xb00, BUDDY, 8 } }, -EBADMSG, { { 0 } }, 0 },
	{ "an order out of range", { { 0xa00, 0x400 } }, { { 0xc00, BUDDY, 11 } }, -EBADMSG,
	  { { 0 } }, 0 },
	{ "a misaligned block", { { 0xa00, 0x400 } }, { { 0xa01, BUDDY, 1 } }, -EBADMSG,
	  { { 0 } }, 0 },
	{ "struct pages not mapped", { { 0xf00, 0x200 } }, { { 0xf00, BUDDY, 0 } }, -EBADMSG,
	  { { 0 } }, 0 },
	{ "every page free", { { 0xa00, 0x200 } }, { { 0xa00, BUDDY, 9 } }, -EBADMSG, { { 0 } }, 0 },
};

static size_t count_ranges(const struct khi_range *v, size_t max)
{
	size_t n = 0;

	while (n < max && v[n].count)
		n++;
	return n;
}

static int run_case(const struct scan_case *c, struct fake *f, struct khh_freepages *fp)
{
	struct khh_physread m = { fake_read, f };
	size_t n_in = count_ranges(c->in, 3);

	for (size_t b = 0; b < 6 && c->blocks[b].pfn; b++)
		set_page(f, c->blocks[b].pfn, c->blocks[b].type, c->blocks[b].order);
	return khh_freepages_filter(&m, NOTE_PA, 4096, c->in, n_in, KHH_FREEPAGES_RANGES_MAX, fp);
}

static void test_scan(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(scan_cases) / sizeof(scan_cases[0]); i++) {
		const struct scan_case *c = &scan_cases[i];
		struct fake *f = fake_new(0x5a, (int)BUDDY);
		size_t n_want = count_ranges(c->want, 6);
		struct khh_freepages fp;
		int r = run_case(c, f, &fp);

		if (r != c->err)
			fail_msg("%s: %d (%s)", c->name, r, fp.why ? fp.why : "");
		if (!r && (fp.nr != n_want || memcmp(fp.ranges, c->want, n_want * sizeof(*c->want)) ||
			   fp.pages_free != c->free || fp.pages_skipped != c->free))
			fail_msg("%s: %zu ranges, %llu free", c->name, fp.nr,
				 (unsigned long long)fp.pages_free);
		if (!r)
			assert_true(khh_ranges_within(fp.ranges, fp.nr, c->in, count_ranges(c->in, 3)));
		else
			assert_true(fp.ranges == NULL && fp.why != NULL);
		free(fp.ranges);
		fake_free(f);
	}
}

/* Older kernels: exact match on the buddy value; a page with it and another bit is saved. */
static void test_scan_exact_buddy_value(void **state)
{
	struct fake *f = fake_new(0x5a, -128);
	struct khh_physread m = { fake_read, f };
	static const struct khi_range in[] = { { 0xa00, 0x100 } }, want[] = { { 0xa00, 0x10 },
									       { 0xa20, 0xe0 } };
	struct khh_freepages fp;

	(void)state;
	set_page(f, 0xa10, 0xffffff80, 4);
	set_page(f, 0xa20, 0xffffff00, 4);
	set_page(f, 0xa40, BUDDY, 4);
	assert_int_equal(khh_freepages_filter(&m, NOTE_PA, 4096, in, 1, 16, &fp), 0);
	assert_int_equal(fp.nr, 2);
	assert_memory_equal(fp.ranges, want, sizeof(want));
	assert_int_equal(fp.blocks, 1);
	free(fp.ranges);
	fake_free(f);
}

/* init_on_free leaves zeros and page_poison 0xaa in every free page: nothing is skipped. */
static void test_probe_contents(void **state)
{
	static const struct { uint8_t fill; int err; } cases[] = {
		{ 0x00, -ECANCELED }, { 0xaa, -ECANCELED }, { 0x5a, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake *f = fake_new(cases[i].fill, (int)BUDDY);
		struct khh_freepages fp;

		assert_int_equal(run_case(&scan_cases[0], f, &fp), cases[i].err);
		free(fp.ranges);
		/* One page that is neither is enough. */
		f->mem[0xde0 * 4096ull + 4095] ^= 1;
		assert_int_equal(run_case(&scan_cases[0], f, &fp), 0);
		free(fp.ranges);
		fake_free(f);
	}
}

/* A broken note or page tables: refused before any struct page is read. */
static void test_filter_refuses(void **state)
{
	struct fake *f = fake_new(0x5a, (int)BUDDY);
	struct khh_physread m = { fake_read, f };
	static const struct khi_range in[] = { { 0xa00, 0x100 } };
	struct khh_freepages fp;

	(void)state;
	assert_int_equal(khh_freepages_filter(&m, NOTE_PA + 8, 4096, in, 1, 16, &fp), -EBADMSG);
	assert_non_null(fp.why);
	put64(f, TOP_PA + 511 * 8, 0);  /* the kernel map gone: init_top_pgt does not resolve */
	assert_int_equal(khh_freepages_filter(&m, NOTE_PA, 4096, in, 1, 16, &fp), -EBADMSG);
	assert_non_null(strstr(fp.why, "init_top_pgt"));
	fake_free(f);
}

/* ---- cutting and merging ---- */

static void test_subtract_bound(void **state)
{
	static const struct khi_range in[] = { { 0, 100 }, { 200, 100 } };
	static const struct khi_range blocks[] = { { 10, 1 }, { 20, 2 }, { 30, 3 }, { 40, 4 },
						   { 210, 5 }, { 250, 1 } };
	static const struct {
		size_t max;
		size_t n;
		struct khi_range want[8];
		uint64_t refilled;
	} cases[] = {
		{ 8, 8, { { 0, 10 }, { 11, 9 }, { 22, 8 }, { 33, 7 }, { 44, 56 }, { 200, 10 },
			  { 215, 35 }, { 251, 49 } }, 0 },
		/* Three gaps: the two of 1 page and the first of 2 pages. */
		{ 5, 5, { { 0, 30 }, { 33, 7 }, { 44, 56 }, { 200, 10 }, { 215, 85 } }, 4 },
		{ 4, 4, { { 0, 40 }, { 44, 56 }, { 200, 10 }, { 215, 85 } }, 7 },
		/* Never fewer ranges than the input has, never one over a border. */
		{ 1, 2, { { 0, 100 }, { 200, 100 } }, 16 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct khi_range *r;
		size_t n;
		uint64_t refilled;

		assert_int_equal(khh_ranges_subtract(in, 2, blocks, 6, cases[i].max, &r, &n, &refilled), 0);
		assert_int_equal(n, cases[i].n);
		assert_memory_equal(r, cases[i].want, n * sizeof(*r));
		assert_int_equal(refilled, cases[i].refilled);
		assert_true(khh_ranges_within(r, n, in, 2));
		free(r);
	}
}

static void test_subtract_edges(void **state)
{
	static const struct khi_range touching[] = { { 0, 10 }, { 10, 10 } }, across[] = { { 5, 10 } };
	static const struct khi_range unsorted[] = { { 20, 5 }, { 0, 5 } }, outside[] = { { 30, 5 } };
	struct khi_range *r;
	size_t n;
	uint64_t refilled;

	(void)state;
	assert_int_equal(khh_ranges_subtract(touching, 2, across, 1, 1, &r, &n, &refilled), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].pfn, 0);
	assert_int_equal(r[0].count, 5);
	assert_int_equal(r[1].pfn, 15);
	assert_int_equal(r[1].count, 5);
	free(r);
	assert_int_equal(khh_ranges_subtract(touching, 2, outside, 1, 8, &r, &n, &refilled), 0);
	assert_int_equal(n, 2);
	free(r);
	assert_int_equal(khh_ranges_subtract(touching, 2, touching, 2, 8, &r, &n, &refilled), 0);
	assert_int_equal(n, 0);
	assert_null(r);
	assert_int_equal(khh_ranges_subtract(unsorted, 2, outside, 1, 8, &r, &n, &refilled), -EINVAL);
	assert_int_equal(khh_ranges_subtract(touching, 2, unsorted, 2, 8, &r, &n, &refilled), -EINVAL);
}

/* Many free pages in one range: the bound holds and the pages of filled gaps are counted. */
static void test_filter_bound(void **state)
{
	struct fake *f = fake_new(0x5a, (int)BUDDY);
	struct khh_physread m = { fake_read, f };
	static const struct khi_range in[] = { { 0xa00, 0x600 } };
	struct khh_freepages fp;

	(void)state;
	for (uint64_t pfn = 0xa00; pfn < 0x1000; pfn += 2)
		set_page(f, pfn, BUDDY, 0);
	assert_int_equal(khh_freepages_filter(&m, NOTE_PA, 4096, in, 1, 100, &fp), 0);
	assert_int_equal(fp.nr, 100);
	assert_int_equal(fp.blocks, 0x300);
	assert_int_equal(fp.pages_free, 0x300);
	/* The first page, then one between each two of the 100 ranges. */
	assert_int_equal(fp.pages_skipped, 100);
	assert_true(khh_ranges_within(fp.ranges, fp.nr, in, 1));
	free(fp.ranges);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real_note),
		cmocka_unit_test(test_parse_bad_notes),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_read_note),
		cmocka_unit_test(test_vtop),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_scan_exact_buddy_value),
		cmocka_unit_test(test_probe_contents),
		cmocka_unit_test(test_filter_refuses),
		cmocka_unit_test(test_subtract_bound),
		cmocka_unit_test(test_subtract_edges),
		cmocka_unit_test(test_filter_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
