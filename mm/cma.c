// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Contiguous Memory Allocator (CMA)
 *
 * Early in boot, platform code reserves ranges of physical memory from
 * memblock and registers each as an area. At core_initcall every area is
 * handed to the buddy allocator as MIGRATE_CMA pageblocks: movable pages may
 * live there while nobody needs the area. cma_alloc() picks a free window in
 * the area's bitmap and claims it. When every page of the window is free in
 * the buddy allocator it takes them straight off the free lists (the fast
 * path); otherwise it asks alloc_contig_range() to migrate whatever occupies
 * the window away and take the pages out of the buddy allocator, which
 * costs every CPU an interrupt or two.
 *
 * Locks, outermost first (the one place the order is stated):
 *   cma->alloc_mutex    one alloc_contig_range() at a time within an area,
 *                       so two requests never isolate the same pageblock.
 *                       Areas share no lock and allocate in parallel.
 *   zone->lock          taken by the buddy allocator under alloc_mutex, and
 *                       by the fast path with no CMA lock held.
 *   cma->lock           irq-safe spinlock over an area's bitmap,
 *                       free_bits and last failure; innermost, only held
 *                       for arithmetic and copies.
 *   cma->mem_head_lock  (debugfs) the list of debugfs allocations; taken
 *                       with no other lock held.
 * cma_areas, cma_area_count and the chunk table only change during early
 * boot (single threaded, before core_initcall) and are read-only after.
 *
 * Busy windows: alloc_contig_range() answers -EBUSY when a page in the
 * window cannot be migrated. A window is first scanned for such a page (in
 * use, not on an LRU list, not movable) and skipped without the cost of an
 * alloc_contig_range() when it has one; after a real -EBUSY the page to
 * blame is taken to be the first one of the window that is not free. Either
 * way the next window starts just past that page, not one bitmap bit
 * further. Busy windows are bounded, so a request that cannot be met fails
 * after a few tries instead of one alloc_contig_range() per bitmap bit.
 * When only busy windows stood in the way and the caller may sleep, the
 * search is repeated after short pauses (cma_busy_pause_ms): most pins are
 * held for a moment only. A lack of room is never retried.
 */

#define pr_fmt(fmt) "cma: " fmt

#define CREATE_TRACE_POINTS

#include <linux/cma.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kmemleak.h>
#include <linux/log2.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/ratelimit.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/string_choices.h>
#include <linux/vmstat.h>
#include <trace/events/cma.h>
#if IS_ENABLED(CONFIG_CMA_KUNIT_TEST)
#include <kunit/resource.h>
#include <kunit/test-bug.h>
#endif

#include "internal.h"
#include "cma.h"

/* Busy windows tried per round: at most one per pageblock, and this many. */
#define CMA_MAX_BUSY_ATTEMPTS	64

/*
 * Pauses, in ms, before the rounds that retry busy windows: pins that
 * fork, exit, a short get_user_pages() or writeback hold go within a few
 * ms, so the first pause is short; the caller waits 100 ms at most.
 */
static const unsigned int cma_busy_pause_ms[] = { 10, 20, 30, 40 };

/*
 * A chunk is a run of struct cma slots: chunk 0 is the static table (or the
 * bigger one cma_alloc_areas() put in its place), later chunks come from
 * memblock when more areas are declared than fit. Slots never move once an
 * area has been handed out, since callers keep pointers to them.
 */
struct cma_chunk {
	struct cma *slots;
	unsigned int nr;
};

#define CMA_MAX_CHUNKS		16

static struct cma cma_areas_data[MAX_CMA_AREAS];
struct cma *cma_areas = cma_areas_data;
unsigned int cma_area_count;

static struct cma_chunk cma_chunks[CMA_MAX_CHUNKS] = {
	{ .slots = cma_areas_data, .nr = MAX_CMA_AREAS },
};

static unsigned int cma_nr_chunks = 1;
static unsigned int cma_capacity = MAX_CMA_AREAS;

static DEFINE_RATELIMIT_STATE(cma_fail_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

/**
 * cma_area_at() - the area registered in position @idx
 * @idx: position, below cma_area_count.
 *
 * Context: Any context.
 * Return: the area, or NULL when @idx is out of range.
 */
struct cma *cma_area_at(unsigned int idx)
{
	unsigned int c;

	if (idx >= cma_area_count)
		return NULL;
	for (c = 0; c < cma_nr_chunks; c++) {
		if (idx < cma_chunks[c].nr)
			return &cma_chunks[c].slots[idx];
		idx -= cma_chunks[c].nr;
	}
	return NULL;
}

/**
 * cma_get_base() - physical address of an area's first byte
 * @cma: the area.
 *
 * Context: Any context.
 * Return: the base address.
 */
phys_addr_t cma_get_base(const struct cma *cma)
{
	phys_addr_t first = cma->base_pfn;

	return first << PAGE_SHIFT;
}

/**
 * cma_get_size() - size of an area
 * @cma: the area.
 *
 * Context: Any context.
 * Return: the size in bytes; 0 if the area could not be activated.
 */
unsigned long cma_get_size(const struct cma *cma)
{
	return PAGE_SIZE * cma->count;
}

/**
 * cma_available_pages() - pages of an area not allocated
 * @cma: the area.
 *
 * Context: Any context; O(1).
 * Return: the number of free pages.
 */
unsigned long cma_available_pages(struct cma *cma)
{
	return READ_ONCE(cma->free_bits) << cma->order_per_bit;
}

/**
 * cma_used_pages() - pages of an area that are allocated
 * @cma: the area.
 *
 * Context: Any context; O(1).
 * Return: the number of allocated pages, counted in whole bitmap bits.
 */
unsigned long cma_used_pages(struct cma *cma)
{
	unsigned long bits = cma_bitmap_maxno(cma);

	return (bits - READ_ONCE(cma->free_bits)) << cma->order_per_bit;
}

/**
 * cma_get_name() - name of an area
 * @cma: the area.
 *
 * Context: Any context.
 * Return: the name, as shown in debugfs and sysfs.
 */
const char *cma_get_name(const struct cma *cma)
{
	return cma->name;
}

/* Longest run of clear bits. */
static unsigned long cma_largest_free_bits(struct cma *cma)
{
	unsigned long nbits = cma_bitmap_maxno(cma);
	unsigned long zero = 0, set, best = 0;

	lockdep_assert_held(&cma->lock);

	while (zero < nbits) {
		zero = find_next_zero_bit(cma->bitmap, nbits, zero);
		if (zero >= nbits)
			break;
		set = find_next_bit(cma->bitmap, nbits, zero);
		best = max(best, set - zero);
		zero = set;
	}
	return best;
}

/**
 * cma_largest_free_run() - longest run of free pages in an area
 * @cma: the area.
 *
 * Context: Process or interrupt context; takes cma->lock.
 * Return: the length in pages of the longest unallocated range.
 */
unsigned long cma_largest_free_run(struct cma *cma)
{
	unsigned long flags, bits = 0;

	if (!cma->bitmap)
		return 0;
	spin_lock_irqsave(&cma->lock, flags);
	bits = cma_largest_free_bits(cma);
	spin_unlock_irqrestore(&cma->lock, flags);
	return bits << cma->order_per_bit;
}

static void cma_mark_free(struct cma *cma, unsigned long bitno,
			  unsigned long bits)
{
	unsigned long flags;

	spin_lock_irqsave(&cma->lock, flags);
	bitmap_clear(cma->bitmap, bitno, bits);
	cma->free_bits += bits;
	spin_unlock_irqrestore(&cma->lock, flags);
}

/* The whole area must sit in one zone: alloc_contig_range() requires it. */
static bool __init cma_in_one_zone(struct cma *cma)
{
	unsigned long pfn, end = cma->base_pfn + cma->count;
	struct zone *zone;

	if (WARN_ON_ONCE(!pfn_valid(cma->base_pfn)))
		return false;
	zone = page_zone(pfn_to_page(cma->base_pfn));
	for (pfn = cma->base_pfn + 1; pfn < end; pfn++) {
		if (WARN_ON_ONCE(!pfn_valid(pfn)))
			return false;
		if (page_zone(pfn_to_page(pfn)) != zone)
			return false;
	}
	return true;
}

static void __init cma_give_up_area(struct cma *cma)
{
	unsigned long pfn, end = cma->base_pfn + cma->count;

	/* Unless the owner wants them kept, the pages are better used by all. */
	for (pfn = cma->base_pfn; !cma->reserve_pages_on_error && pfn < end;
	     pfn++)
		free_reserved_page(pfn_to_page(pfn));
	pr_err("%s: activation failed, %lu pages %s\n", cma->name, cma->count,
	       cma->reserve_pages_on_error ? "stay reserved" : "go to the buddy");
	totalcma_pages -= end - cma->base_pfn;
	cma->count = 0;
}

static void __init cma_activate_area(struct cma *cma)
{
	unsigned long pfn, end = cma->base_pfn + cma->count;

	spin_lock_init(&cma->lock);
	mutex_init(&cma->alloc_mutex);
#ifdef CONFIG_CMA_DEBUGFS
	INIT_HLIST_HEAD(&cma->mem_head);
	spin_lock_init(&cma->mem_head_lock);
#endif
	cma->bitmap = bitmap_zalloc(cma_bitmap_maxno(cma), GFP_KERNEL);
	if (!cma->bitmap)
		goto give_up;
	if (!cma_in_one_zone(cma))
		goto free_bitmap;

	for (pfn = cma->base_pfn; pfn < end; pfn += pageblock_nr_pages)
		init_cma_reserved_pageblock(pfn_to_page(pfn));
	cma->free_bits = cma_bitmap_maxno(cma);
	return;

free_bitmap:
	bitmap_free(cma->bitmap);
	cma->bitmap = NULL;
give_up:
	cma_give_up_area(cma);
}

static int __init cma_init_reserved_areas(void)
{
	unsigned int i;

	for (i = 0; i < cma_area_count; i++)
		cma_activate_area(cma_area_at(i));
	return 0;
}
core_initcall(cma_init_reserved_areas);

/**
 * cma_reserve_pages_on_error() - keep an area's pages if activation fails
 * @cma: the area.
 *
 * By default an area that cannot be activated gives its pages to the buddy
 * allocator; after this call they stay reserved instead.
 *
 * Context: Early boot, before core_initcall.
 */
void __init cma_reserve_pages_on_error(struct cma *cma)
{
	cma->reserve_pages_on_error = true;
}

/**
 * cma_alloc_areas() - make room for at least @max_cma_size areas
 * @max_cma_size: number of areas the caller is about to need in total.
 *
 * Grows the area table with memblock memory. Before the first area is
 * registered the table is replaced by a bigger one; afterwards the extra
 * slots come as a separate chunk, so that areas already handed out keep
 * their address. Registering an area calls this by itself when the table is
 * full; platforms that know their count up front may call it first.
 *
 * Context: Early boot, while memblock allocates.
 * Return: 0 on success, -ENOSPC if the chunk table is full, -ENOMEM if
 * memblock has no memory for the slots.
 */
int __init cma_alloc_areas(unsigned int max_cma_size)
{
	unsigned int extra;
	struct cma *slots;

	if (max_cma_size <= cma_capacity)
		return 0;
	extra = max_cma_size - cma_capacity;

	if (!cma_area_count) {
		slots = memblock_alloc(sizeof(*slots) * max_cma_size,
				       SMP_CACHE_BYTES);
		if (!slots)
			return -ENOMEM;
		if (cma_areas != cma_areas_data)
			memblock_free(cma_areas, sizeof(*slots) * cma_capacity);
		cma_areas = slots;
		cma_chunks[0].slots = slots;
		cma_chunks[0].nr = max_cma_size;
		cma_capacity = max_cma_size;
		return 0;
	}

	if (cma_nr_chunks == CMA_MAX_CHUNKS)
		return -ENOSPC;
	slots = memblock_alloc(sizeof(*slots) * extra, SMP_CACHE_BYTES);
	if (!slots)
		return -ENOMEM;
	cma_chunks[cma_nr_chunks].slots = slots;
	cma_chunks[cma_nr_chunks].nr = extra;
	cma_nr_chunks++;
	cma_capacity += extra;
	return 0;
}

/* A free slot for one more area, growing the table when it is full. */
static int __init cma_ensure_slot(void)
{
	int ret;

	if (cma_area_count < cma_capacity)
		return 0;
	ret = cma_alloc_areas(cma_capacity * 2);
	if (ret)
		pr_err("no slot for CMA area %u: %d\n", cma_area_count, ret);
	return ret;
}

/**
 * cma_init_reserved_mem() - register already reserved memory as an area
 * @base: physical address of the range, reserved in memblock.
 * @size: size of the range in bytes.
 * @order_per_bit: order of the block one bitmap bit stands for.
 * @name: name of the area; NULL names it "cma<N>".
 * @res_cma: where to store the new area.
 *
 * Both @base and @size must be multiples of CMA_MIN_ALIGNMENT_BYTES. The
 * area becomes usable at core_initcall.
 *
 * Context: Early boot, while memblock allocates.
 * Return: 0 on success, -EINVAL for an empty, unreserved or misaligned
 * range, -ENOMEM or -ENOSPC when no slot can be found for the area.
 */
int __init cma_init_reserved_mem(phys_addr_t base, phys_addr_t size,
				 unsigned int order_per_bit,
				 const char *name,
				 struct cma **res_cma)
{
	struct cma *cma;
	int ret;

	if (!size || !IS_ALIGNED(size, CMA_MIN_ALIGNMENT_BYTES))
		return -EINVAL;
	if (!IS_ALIGNED(base, CMA_MIN_ALIGNMENT_BYTES))
		return -EINVAL;
	if (!memblock_is_region_reserved(base, size))
		return -EINVAL;
	ret = cma_ensure_slot();
	if (ret)
		return ret;

	cma_area_count++;
	cma = cma_area_at(cma_area_count - 1);
	if (name)
		strscpy(cma->name, name, sizeof(cma->name));
	else
		scnprintf(cma->name, sizeof(cma->name), "cma%u",
			  cma_area_count - 1);
	cma->order_per_bit = order_per_bit;
	cma->base_pfn = PHYS_PFN(base);
	cma->count = PHYS_PFN(size);
	totalcma_pages += PHYS_PFN(size);
	*res_cma = cma;
	return 0;
}

/* Where an area may go, once cma_declare_contiguous_nid() checked it. */
struct cma_placement {
	phys_addr_t base;
	phys_addr_t size;
	phys_addr_t limit;
	phys_addr_t align;
	/* First byte past the direct map: an area stays on one side. */
	phys_addr_t high;
	bool fixed;
};

static bool __init cma_straddles(phys_addr_t start, phys_addr_t len,
				 phys_addr_t mark)
{
	return start < mark && mark - start < len;
}

static int __init cma_check_placement(struct cma_placement *p,
				      unsigned int order_per_bit)
{
	phys_addr_t top = memblock_end_of_DRAM();

	if (p->align < CMA_MIN_ALIGNMENT_BYTES)
		p->align = CMA_MIN_ALIGNMENT_BYTES;
	if (p->fixed && !IS_ALIGNED(p->base, p->align)) {
		pr_err("fixed area at %pa is not aligned to %pa\n",
		       &p->base, &p->align);
		return -EINVAL;
	}
	p->base = round_up(p->base, p->align);
	p->size = round_up(p->size, p->align);
	p->limit = round_down(p->limit, p->align);
	/* A "fixed" area at address 0 means: anywhere. */
	p->fixed = p->fixed && p->base;
	if (!IS_ALIGNED(PHYS_PFN(p->size), 1UL << order_per_bit))
		return -EINVAL;
	if (p->fixed && cma_straddles(p->base, p->size, p->high)) {
		pr_err("fixed area at %pa crosses the high memory start %pa\n",
		       &p->base, &p->high);
		return -EINVAL;
	}
	if (!p->limit || p->limit > top)
		p->limit = top;
	if (p->limit < p->base || p->limit - p->base < p->size) {
		pr_err("area of %pa at %pa does not fit below %pa\n",
		       &p->size, &p->base, &p->limit);
		return -EINVAL;
	}
	return 0;
}

static phys_addr_t __init cma_find_room(struct cma_placement *p,
					phys_addr_t from, phys_addr_t to,
					int nid)
{
	return memblock_alloc_range_nid(p->size, p->align, from, to, nid,
					true);
}

/*
 * Reserve the area's memory. Anywhere-areas go above 4 GiB first,
 * bottom-up, so that compaction moves pages out of the area rather than
 * into it and DMA32 stays free; then into high memory; then anywhere in
 * range.
 */
static int __init cma_reserve(struct cma_placement *p, int nid)
{
	phys_addr_t got = 0, to = p->limit;

	if (p->fixed) {
		if (memblock_is_region_reserved(p->base, p->size))
			return -EBUSY;
		return memblock_reserve(p->base, p->size) ? -EBUSY : 0;
	}

	if (IS_ENABLED(CONFIG_PHYS_ADDR_T_64BIT) && !memblock_bottom_up() &&
	    memblock_end_of_DRAM() >= SZ_4G + p->size) {
		memblock_set_bottom_up(true);
		got = cma_find_room(p, SZ_4G, to, nid);
		memblock_set_bottom_up(false);
	}
	if (!got && cma_straddles(p->base, to - p->base, p->high)) {
		got = cma_find_room(p, p->high, to, nid);
		to = p->high;
	}
	if (!got)
		got = cma_find_room(p, p->base, to, nid);
	if (!got)
		return -ENOMEM;
	/* Not mapped for kmemleak to scan, and holds no pointers anyway. */
	kmemleak_ignore_phys(got);
	p->base = got;
	return 0;
}

/**
 * cma_declare_contiguous_nid() - reserve memory and register it as an area
 * @base: where the area must (@fixed) or may start; 0 for anywhere.
 * @size: size of the area in bytes.
 * @limit: end of the range the area must fit below; 0 for no limit.
 * @alignment: alignment of the area, a power of two or 0.
 * @order_per_bit: order of the block one bitmap bit stands for.
 * @fixed: place the area exactly at @base.
 * @name: name of the area; NULL names it "cma<N>".
 * @res_cma: where to store the new area.
 * @nid: node to take the memory from, or %NUMA_NO_NODE.
 *
 * The alignment is raised to CMA_MIN_ALIGNMENT_BYTES; @base, @size and
 * @limit are rounded to it. The area never straddles the low/high memory
 * boundary.
 *
 * Context: Early boot, while memblock allocates.
 * Return: 0 on success, -EINVAL for inconsistent arguments, -EBUSY if the
 * fixed range is already reserved, -ENOMEM if no room is found, -ENOSPC if
 * no slot is left for the area.
 */
int __init cma_declare_contiguous_nid(phys_addr_t base,
				      phys_addr_t size, phys_addr_t limit,
				      phys_addr_t alignment,
				      unsigned int order_per_bit,
				      bool fixed, const char *name,
				      struct cma **res_cma, int nid)
{
	/* high_memory itself is not a valid direct-map address. */
	struct cma_placement p = {
		.base = base,
		.size = size,
		.limit = limit,
		.align = alignment,
		.high = __pa(high_memory - 1) + 1,
		.fixed = fixed,
	};
	int err;

	if (!size || (alignment && !is_power_of_2(alignment)))
		return -EINVAL;
	err = cma_ensure_slot();
	if (err)
		return err;
	if (!IS_ENABLED(CONFIG_NUMA))
		nid = NUMA_NO_NODE;

	err = cma_check_placement(&p, order_per_bit);
	if (!err)
		err = cma_reserve(&p, nid);
	if (err)
		goto report;
	err = cma_init_reserved_mem(p.base, p.size, order_per_bit, name,
				    res_cma);
	if (err) {
		memblock_phys_free(p.base, p.size);
		goto report;
	}
	pr_info("Reserved %lu MiB at %pa on node %d\n",
		(unsigned long)(p.size / SZ_1M), &p.base, nid);
	return 0;

report:
	pr_err("Failed to reserve %lu MiB on node %d: %d\n",
	       (unsigned long)(p.size / SZ_1M), nid, err);
	return err;
}

/*
 * A folio in use that migration cannot move: not on an LRU list, not a
 * movable driver page, not hugetlb. A page with no reference is free (on a
 * per-CPU list) or on its way there. A page just allocated and not yet on
 * an LRU list looks stuck too; the caller allows for that.
 */
static bool cma_folio_cannot_move(struct folio *folio)
{
	if (!folio_ref_count(folio))
		return false;
	return !folio_test_lru(folio) && !__folio_test_movable(folio) &&
	       !folio_test_hugetlb(folio);
}

/* Pages from @page to the end of its folio, at least 1; racy, a hint. */
static unsigned long cma_folio_rest(struct folio *folio, struct page *page)
{
	unsigned long nr, idx;

	if (!folio_test_large(folio))
		return 1;
	nr = folio_nr_pages(folio);
	idx = page_to_pfn(page) - folio_pfn(folio);
	return idx < nr ? nr - idx : 1;
}

/* What cma_scan_window() looks for, besides pages free in the buddy. */
enum cma_scan {
	CMA_SCAN_ANY,		/* any other page: taken or on a per-CPU list */
	CMA_SCAN_HELD,		/* a page somebody holds a reference to */
	CMA_SCAN_STUCK,		/* a held page that migration cannot move */
};

static bool cma_scan_match(struct folio *folio, enum cma_scan what)
{
	switch (what) {
	case CMA_SCAN_HELD:
		return folio_ref_count(folio);
	case CMA_SCAN_STUCK:
		return cma_folio_cannot_move(folio);
	default:
		return true;
	}
}

/*
 * First page of [@pfn, @end) that is not free in the buddy and matches
 * @what; @end if there is none. Read without the zone lock, so the answer
 * is a hint: a torn buddy order counts as not free, and all pages of a
 * large folio are judged by its head.
 */
static unsigned long cma_scan_window(struct cma *cma, unsigned long pfn,
				     unsigned long end, enum cma_scan what)
{
	/* Buddy blocks are naturally aligned and never start before the area. */
	unsigned long walk = max(ALIGN_DOWN(pfn, MAX_ORDER_NR_PAGES),
				 cma->base_pfn);

	while (walk < end) {
		struct page *page = pfn_to_page(walk);
		struct folio *folio;
		unsigned long order;

		if (PageBuddy(page)) {
			order = buddy_order_unsafe(page);
			if (order <= MAX_PAGE_ORDER) {
				walk += 1UL << order;
				continue;
			}
		}
		folio = page_folio(page);
		if (walk >= pfn && cma_scan_match(folio, what))
			return walk;
		walk += cma_folio_rest(folio, page);
	}
	return end;
}

/*
 * Bitmap index to search from after the window at @bitno was busy because
 * of the page at @stuck (@end: no page to blame): never closer than the
 * next aligned window, and past the page when it is known.
 */
static unsigned long cma_start_past(struct cma *cma, unsigned long bitno,
				    unsigned long mask, unsigned long stuck,
				    unsigned long end)
{
	unsigned long next = bitno + mask + 1;

	if (stuck >= end)
		return next;
	return max(next, ((stuck - cma->base_pfn) >> cma->order_per_bit) + 1);
}

/*
 * A window of at least a pageblock that starts on a pageblock boundary
 * costs alloc_contig_range() the least: no free block straddles its ends,
 * so nothing comes back page by page. Skipped windows move on to the next
 * boundary; the second, unscanned pass steps without it, so a window that
 * only fits off a boundary is still found.
 */
static unsigned long cma_round_to_block(struct cma *cma, unsigned long bitno)
{
	unsigned long per_block = pageblock_nr_pages >> cma->order_per_bit;

	if (cma->order_per_bit > pageblock_order)
		return bitno;
	return ALIGN(bitno, per_block);
}

/*
 * One request as the window search sees it: its shape in bitmap terms and
 * what the windows tried so far came to.
 */
struct cma_request {
	unsigned long nr;
	unsigned int align;
	gfp_t gfp;
	unsigned long bits;
	unsigned long mask;
	unsigned long offset;
	/* Busy windows allowed, and met so far. */
	unsigned long most;
	unsigned long busy;
	/* Busy windows the scan ruled out without an attempt. */
	unsigned long skipped;
	/* Last window tried, -1UL before the first. */
	unsigned long pfn;
	/* -ENOMEM until a window is tried, then the last window's error. */
	int err;
	/* The first page in the way of each busy window of this round. */
	unsigned int nr_blocking;
	unsigned long blocking[CMA_FAILURE_PFNS];
};

/* What trying one window came to. */
enum cma_outcome {
	CMA_TAKEN,
	CMA_BUSY,	/* a page in the window did not move; try another */
	CMA_FAILED,	/* anything else: give up */
};

static void cma_request_init(struct cma *cma, struct cma_request *rq,
			     unsigned long nr, unsigned int align, gfp_t gfp)
{
	unsigned long blocks = DIV_ROUND_UP(cma->count, pageblock_nr_pages);

	rq->nr = nr;
	rq->align = align;
	rq->gfp = gfp;
	rq->bits = cma_bitmap_pages_to_bits(cma, nr);
	rq->mask = cma_bitmap_aligned_mask(cma, align);
	rq->offset = cma_bitmap_aligned_offset(cma, align);
	rq->most = clamp(blocks, 2UL, (unsigned long)CMA_MAX_BUSY_ATTEMPTS);
	rq->busy = 0;
	rq->skipped = 0;
	rq->pfn = -1UL;
	rq->err = -ENOMEM;
	rq->nr_blocking = 0;
}

static unsigned long cma_bit_to_pfn(struct cma *cma, unsigned long bitno)
{
	return cma->base_pfn + (bitno << cma->order_per_bit);
}

/* Claim a free window at or after bit @start; -1UL if there is none. */
static unsigned long cma_claim_window(struct cma *cma, unsigned long start,
				      const struct cma_request *rq)
{
	unsigned long nbits = cma_bitmap_maxno(cma), bitno;

	spin_lock_irq(&cma->lock);
	bitno = bitmap_find_next_zero_area_off(cma->bitmap, nbits, start,
					       rq->bits, rq->mask, rq->offset);
	if (bitno < nbits) {
		bitmap_set(cma->bitmap, bitno, rq->bits);
		cma->free_bits -= rq->bits;
	} else {
		bitno = -1UL;
	}
	spin_unlock_irq(&cma->lock);
	return bitno;
}

/*
 * One line on a page that kept a window busy, read without a reference:
 * the page may be changing under us, which is fine for a report. The
 * counts are its folio's.
 */
static void cma_report_blocker(struct cma *cma, unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);
	struct folio *folio = page_folio(page);
	unsigned long flags = READ_ONCE(page->flags);
	int mt = get_pageblock_migratetype(page);

	pr_err("%s: blocked by pfn %#lx: refcount %d mapcount %d flags %pGp migratetype %s lru %s\n",
	       cma->name, pfn, folio_ref_count(folio), folio_mapcount(folio),
	       &flags,
	       mt < MIGRATE_TYPES ? migratetype_names[mt] : "?",
	       str_yes_no(folio_test_lru(folio)));
}

/* Keep what the request met for debugfs <area>/last_failure. */
static void cma_note_failure(struct cma *cma, const struct cma_request *rq,
			     unsigned long free, unsigned long largest)
{
#ifdef CONFIG_CMA_DEBUGFS
	struct cma_failure *f = &cma->last_failure;
	unsigned long flags;

	spin_lock_irqsave(&cma->lock, flags);
	f->time_ns = ktime_get_boottime_ns();
	f->count = rq->nr;
	f->align = rq->align;
	f->err = rq->err;
	f->free_pages = free;
	f->largest_free = largest;
	f->nr_blocking = rq->nr_blocking;
	memcpy(f->blocking, rq->blocking,
	       rq->nr_blocking * sizeof(rq->blocking[0]));
	spin_unlock_irqrestore(&cma->lock, flags);
#endif
}

static void cma_report_failure(struct cma *cma, const struct cma_request *rq)
{
	unsigned long free = cma_available_pages(cma);
	unsigned long largest = cma_largest_free_run(cma);
	unsigned int i;

	cma_note_failure(cma, rq, free, largest);
	if ((rq->gfp & __GFP_NOWARN) || !__ratelimit(&cma_fail_rs))
		return;
	pr_err("%s: no %lu pages (align order %u): error %d; %lu of %lu pages free, largest free run %lu\n",
	       cma->name, rq->nr, rq->align, rq->err, free, cma->count,
	       largest);
	for (i = 0; i < rq->nr_blocking; i++)
		cma_report_blocker(cma, rq->blocking[i]);
}

static void cma_account(struct cma *cma, struct page *page,
			unsigned long nr)
{
	count_vm_event(page ? CMA_ALLOC_SUCCESS : CMA_ALLOC_FAIL);
	if (page)
		cma_sysfs_account_success_pages(cma, nr);
	else
		cma_sysfs_account_fail_pages(cma, nr);
}

/* Move the pages of [@pfn, @pfn + @nr) out of the way and take them. */
static int cma_take_range(struct cma *cma, unsigned long pfn,
			  unsigned long nr, gfp_t gfp)
{
	int err;

	/*
	 * alloc_contig_range() refuses __GFP_NORETRY; for CMA it means no
	 * second round for busy windows (cma_may_retry()).
	 */
	mutex_lock(&cma->alloc_mutex);
	err = alloc_contig_range(pfn, pfn + nr, MIGRATE_CMA,
				 gfp & ~__GFP_NORETRY);
	mutex_unlock(&cma->alloc_mutex);
	return err;
}

/* Drop every page's only reference to a block; all or none. */
static bool cma_freeze_block(struct page *head, unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	for (i = 0; i < nr; i++) {
		if (!page_ref_freeze(nth_page(head, i), 1))
			break;
	}
	if (i == nr)
		return true;
	while (i--)
		page_ref_unfreeze(nth_page(head, i), 1);
	return false;
}

/*
 * Give released pages back to the buddy allocator in the largest naturally
 * aligned blocks, straight onto the free lists. Through the per-CPU lists
 * they would not count as free, and the next request for the same window
 * would miss the fast path and have alloc_contig_range() drain every CPU.
 * A block some other user still holds a reference to goes page by page.
 */
static void cma_free_range(unsigned long pfn, unsigned long nr)
{
	unsigned int order;

	while (nr) {
		order = min_t(unsigned int, ilog2(nr), MAX_PAGE_ORDER);
		if (pfn)
			order = min_t(unsigned int, order, __ffs(pfn));
		if (cma_freeze_block(pfn_to_page(pfn), order))
			free_pages_to_buddy(pfn_to_page(pfn), order);
		else
			free_contig_range(pfn, 1UL << order);
		pfn += 1UL << order;
		nr -= 1UL << order;
	}
}

/*
 * Claim (@set) or give back the bits of the pageblock at bit @blk around
 * the window [@bitno, @bitno + @bits). Claiming fails if one is taken.
 */
static bool cma_block_rest(struct cma *cma, unsigned long blk,
			   unsigned long bitno, unsigned long bits, bool set)
{
	unsigned long nbits = pageblock_nr_pages >> cma->order_per_bit;
	unsigned long head = bitno - blk, tail = blk + nbits - bitno - bits;
	unsigned long flags;
	bool ok = true;

	spin_lock_irqsave(&cma->lock, flags);
	if (set) {
		ok = find_next_bit(cma->bitmap, bitno, blk) >= bitno &&
		     find_next_bit(cma->bitmap, blk + nbits, bitno + bits) >=
		     blk + nbits;
		if (ok) {
			bitmap_set(cma->bitmap, blk, head);
			bitmap_set(cma->bitmap, bitno + bits, tail);
			cma->free_bits -= head + tail;
		}
	} else {
		bitmap_clear(cma->bitmap, blk, head);
		bitmap_clear(cma->bitmap, bitno + bits, tail);
		cma->free_bits += head + tail;
	}
	spin_unlock_irqrestore(&cma->lock, flags);
	return ok;
}

/* Bitmap index of the pageblock holding bit @bitno. */
static unsigned long cma_block_of(struct cma *cma, unsigned long bitno)
{
	unsigned long pfn = cma_bit_to_pfn(cma, bitno);

	return (ALIGN_DOWN(pfn, pageblock_nr_pages) - cma->base_pfn) >>
	       cma->order_per_bit;
}

/*
 * A request smaller than a pageblock, in a pageblock nothing else uses:
 * alloc_contig_range() would take the whole free buddy block around the
 * request anyway and give the surplus back page by page, which costs more
 * than the request itself. Whether the window at @bitno is such a case;
 * if so, the rest of its pageblock is claimed too.
 */
static bool cma_claim_block(struct cma *cma, unsigned long bitno,
			    const struct cma_request *rq)
{
	unsigned long pfn = cma_bit_to_pfn(cma, bitno);
	unsigned long start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	unsigned long end = start + pageblock_nr_pages;

	/* Zeroing the whole pageblock on allocation would cost more. */
	if (want_init_on_alloc(rq->gfp) || cma->order_per_bit > pageblock_order)
		return false;
	if (pfn + rq->nr > end || start < cma->base_pfn ||
	    end > cma->base_pfn + cma->count)
		return false;
	/* Nobody holds a page of it: all free in the buddy or per-CPU. */
	if (cma_scan_window(cma, start, end, CMA_SCAN_HELD) < end)
		return false;
	return cma_block_rest(cma, cma_block_of(cma, bitno), bitno, rq->bits,
			      true);
}

/*
 * Take the whole pageblock of the window at @bitno (claimed by
 * cma_claim_block()) and give back the rest in blocks; the rest's bits
 * are given back either way.
 */
static int cma_take_block(struct cma *cma, unsigned long bitno,
			  const struct cma_request *rq)
{
	unsigned long pfn = cma_bit_to_pfn(cma, bitno);
	unsigned long start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	unsigned long end = start + pageblock_nr_pages;
	int err;

	err = cma_take_range(cma, start, pageblock_nr_pages, rq->gfp);
	if (!err) {
		cma_free_range(start, pfn - start);
		cma_free_range(pfn + rq->nr, end - pfn - rq->nr);
	}
	cma_block_rest(cma, cma_block_of(cma, bitno), bitno, rq->bits, false);
	return err;
}

#if IS_ENABLED(CONFIG_CMA_KUNIT_TEST)
/*
 * The KUnit suite learns which requests the fast path served through a
 * named resource holding an atomic_t (see lib/slub_kunit.c for the
 * pattern); outside a test that added one, this is a static-key test.
 */
static void cma_note_fast_path(void)
{
	struct kunit_resource *res;

	if (!kunit_get_current_test())
		return;
	res = kunit_find_named_resource(current->kunit_test, "cma_fast_path");
	if (!res)
		return;
	atomic_inc(res->data);
	kunit_put_resource(res);
}
#else
static inline void cma_note_fast_path(void)
{
}
#endif

/*
 * Head of the free MIGRATE_CMA buddy block that holds @pfn, its order in
 * *@order; -1UL when @pfn is not free in the buddy allocator (in use, on a
 * per-CPU list) or its pageblock is not MIGRATE_CMA (being isolated).
 */
static unsigned long cma_free_head(struct zone *zone, unsigned long pfn,
				   unsigned int *order)
{
	unsigned long head;
	struct page *page;
	unsigned int o;

	lockdep_assert_held(&zone->lock);
	for (o = 0; o <= MAX_PAGE_ORDER; o++) {
		head = ALIGN_DOWN(pfn, 1UL << o);
		if (!zone_spans_pfn(zone, head) || !pfn_valid(head))
			return -1UL;
		page = pfn_to_page(head);
		if (!PageBuddy(page))
			continue;
		/* Blocks never overlap: a smaller one here rules out a bigger. */
		if (buddy_order(page) < o)
			return -1UL;
		if (get_pageblock_migratetype(page) != MIGRATE_CMA)
			return -1UL;
		*order = buddy_order(page);
		return head;
	}
	return -1UL;
}

static bool cma_all_free(struct zone *zone, unsigned long pfn,
			 unsigned long end)
{
	unsigned long head;
	unsigned int order;

	while (pfn < end) {
		head = cma_free_head(zone, pfn, &order);
		if (head == -1UL)
			return false;
		pfn = head + (1UL << order);
	}
	return true;
}

/* Return isolated pages [@pfn, @end) to the free lists in aligned blocks. */
static void cma_put_back(unsigned long pfn, unsigned long end)
{
	unsigned int order;

	while (pfn < end) {
		order = min_t(unsigned int, ilog2(end - pfn), MAX_PAGE_ORDER);
		if (pfn)
			order = min_t(unsigned int, order, __ffs(pfn));
		__putback_isolated_page(pfn_to_page(pfn), order, MIGRATE_CMA);
		pfn += 1UL << order;
	}
}

/*
 * Take the free blocks that cover [@pfn, @end) off the free lists and give
 * back what lies outside the window. __isolate_free_page() and
 * __putback_isolated_page() keep NR_FREE_PAGES and NR_FREE_CMA_PAGES
 * right by themselves: the window's pages leave both counters once. A
 * watermark refusal half way returns the part already taken.
 */
static bool cma_isolate_free(struct zone *zone, unsigned long pfn,
			     unsigned long end)
{
	unsigned long start = pfn, head, stop;
	unsigned int order;

	lockdep_assert_held(&zone->lock);
	while (pfn < end) {
		head = cma_free_head(zone, pfn, &order);
		if (!__isolate_free_page(pfn_to_page(head), order)) {
			cma_put_back(start, pfn);
			return false;
		}
		stop = head + (1UL << order);
		cma_put_back(head, max(head, start));
		cma_put_back(min(stop, end), stop);
		pfn = stop;
	}
	return true;
}

/* Make isolated pages what alloc_contig_range() hands out: one ref each. */
static void cma_prep_taken(unsigned long pfn, unsigned long nr, gfp_t gfp)
{
	unsigned long end = pfn + nr;
	unsigned int order;
	struct page *page;

	while (pfn < end) {
		order = min_t(unsigned int, ilog2(end - pfn), MAX_PAGE_ORDER);
		if (pfn)
			order = min_t(unsigned int, order, __ffs(pfn));
		page = pfn_to_page(pfn);
		post_alloc_hook(page, order, gfp);
		set_page_refcounted(page);
		if (order)
			split_page(page, order);
		pfn += 1UL << order;
	}
}

/*
 * The fast path. When every page of the window is free in the buddy
 * allocator, take them straight off the MIGRATE_CMA free lists: nothing
 * to migrate, no LRU or per-CPU list to drain, no pageblock to isolate,
 * no other CPU to interrupt. Anything else (a page in use or on a per-CPU
 * list, a pageblock being isolated, a watermark refusal) leaves the
 * window as it was for alloc_contig_range().
 */
static bool cma_take_free(struct cma *cma, unsigned long pfn,
			  const struct cma_request *rq)
{
	struct zone *zone = page_zone(pfn_to_page(pfn));
	unsigned long flags, end = pfn + rq->nr;
	bool taken;

	/* alloc_contig_range() builds compound pages; leave those to it. */
	if (rq->gfp & __GFP_COMP)
		return false;
	spin_lock_irqsave(&zone->lock, flags);
	taken = cma_all_free(zone, pfn, end) &&
		cma_isolate_free(zone, pfn, end);
	spin_unlock_irqrestore(&zone->lock, flags);
	if (!taken)
		return false;
	cma_prep_taken(pfn, rq->nr, rq->gfp);
	cma_note_fast_path();
	return true;
}

/*
 * Try the window at @bitno, already claimed in the bitmap. With @scan, a
 * window holding a page that cannot move is busy without an attempt. When
 * busy, *@stuck is the first page to blame (or the window's end when
 * none is known).
 */
static enum cma_outcome cma_try_window(struct cma *cma,
				       struct cma_request *rq,
				       unsigned long bitno, bool scan,
				       unsigned long *stuck)
{
	unsigned long pfn = cma_bit_to_pfn(cma, bitno), end = pfn + rq->nr;
	int err;

	rq->pfn = pfn;
	if (cma_take_free(cma, pfn, rq)) {
		rq->err = 0;
		return CMA_TAKEN;
	}
	*stuck = end;
	if (scan)
		*stuck = cma_scan_window(cma, pfn, end, CMA_SCAN_STUCK);
	if (*stuck < end) {
		rq->skipped++;
		rq->err = -EBUSY;
		return CMA_BUSY;
	}

	if (rq->nr < pageblock_nr_pages && cma_claim_block(cma, bitno, rq))
		err = cma_take_block(cma, bitno, rq);
	else
		err = cma_take_range(cma, pfn, rq->nr, rq->gfp);
	rq->err = err;
	if (!err)
		return CMA_TAKEN;
	if (err != -EBUSY)
		return CMA_FAILED;
	*stuck = cma_scan_window(cma, pfn, end, CMA_SCAN_ANY);
	return CMA_BUSY;
}

/* Remember @stuck as a page in the way, once, unless it is unknown. */
static void cma_note_blocker(struct cma_request *rq, unsigned long stuck)
{
	unsigned int i;

	if (stuck >= rq->pfn + rq->nr)
		return;
	for (i = 0; i < rq->nr_blocking; i++) {
		if (rq->blocking[i] == stuck)
			return;
	}
	if (rq->nr_blocking < ARRAY_SIZE(rq->blocking))
		rq->blocking[rq->nr_blocking++] = stuck;
}

/*
 * Try the free windows in address order, from the start of the area, until
 * one is taken, one fails for a reason other than a busy page, there is no
 * window left, or too many were busy. Returns the first page or NULL.
 */
static struct page *cma_search(struct cma *cma, struct cma_request *rq,
			       bool scan)
{
	unsigned long from = 0, bitno, stuck;

	while (rq->busy <= rq->most) {
		bitno = cma_claim_window(cma, from, rq);
		if (bitno == -1UL)
			return NULL;
		switch (cma_try_window(cma, rq, bitno, scan, &stuck)) {
		case CMA_TAKEN:
			return pfn_to_page(rq->pfn);
		case CMA_FAILED:
			cma_mark_free(cma, bitno, rq->bits);
			return NULL;
		case CMA_BUSY:
			break;
		}
		cma_mark_free(cma, bitno, rq->bits);
		rq->busy++;
		cma_note_blocker(rq, stuck);
		trace_cma_alloc_busy_retry(cma->name, rq->pfn,
					   pfn_to_page(rq->pfn), rq->nr,
					   rq->align);
		from = cma_start_past(cma, bitno, rq->mask, stuck,
				      rq->pfn + rq->nr);
		if (scan && rq->nr >= pageblock_nr_pages)
			from = cma_round_to_block(cma, from);
	}
	return NULL;
}

/*
 * Windows are scanned for a page that cannot move before they cost an
 * alloc_contig_range(). If the scan alone ruled out every window, it may
 * have judged a page on its way to an LRU list: the search runs once more,
 * trying each window for real.
 */
static struct page *cma_search_twice(struct cma *cma, struct cma_request *rq)
{
	struct page *page = cma_search(cma, rq, true);

	if (page || rq->err != -EBUSY || !rq->skipped || rq->busy > rq->most)
		return page;
	return cma_search(cma, rq, false);
}

/*
 * Only busy windows stood in the way (not a lack of room, not another
 * error), and the caller may sleep and did not ask to give up early.
 */
static bool cma_may_retry(const struct cma_request *rq)
{
	return rq->err == -EBUSY && gfpflags_allow_blocking(rq->gfp) &&
	       !(rq->gfp & __GFP_NORETRY);
}

/*
 * Search the area; if only busy windows were found, pause and search
 * again a few times: pages pinned for a moment are then free to move.
 */
static struct page *cma_search_rounds(struct cma *cma, struct cma_request *rq)
{
	struct page *page = cma_search_twice(cma, rq);
	unsigned int round, ms;

	for (round = 0; !page && round < ARRAY_SIZE(cma_busy_pause_ms) &&
	     cma_may_retry(rq); round++) {
		ms = cma_busy_pause_ms[round];
		usleep_range(ms * USEC_PER_MSEC, ms * USEC_PER_MSEC + 500);
		rq->busy = 0;
		rq->skipped = 0;
		rq->nr_blocking = 0;
		/* The round may find no room at all now: no further one. */
		rq->err = -ENOMEM;
		page = cma_search_twice(cma, rq);
	}
	return page;
}

static struct page *cma_alloc_pages(struct cma *cma, unsigned long nr,
				    unsigned int align, gfp_t gfp)
{
	struct cma_request rq;
	struct page *page;
	unsigned long k;

	trace_cma_alloc_start(cma ? cma->name : NULL, nr, align);
	if (!cma || !cma->count || !cma->bitmap || !nr)
		return NULL;

	cma_request_init(cma, &rq, nr, align, gfp);
	page = cma_search_rounds(cma, &rq);
	if (!page)
		cma_report_failure(cma, &rq);
	/* The pageblocks may carry different KASAN tags: make them agree. */
	for (k = 0; page && k < nr; k++)
		page_kasan_tag_reset(nth_page(page, k));

	trace_cma_alloc_finish(cma->name, rq.pfn, page, nr, align,
			       page ? 0 : rq.err);
	cma_account(cma, page, nr);
	return page;
}

/**
 * cma_alloc() - allocate contiguous pages from an area
 * @cma: the area.
 * @count: number of pages.
 * @align: alignment of the first page's pfn, as a page order.
 * @no_warn: do not log a failure.
 *
 * Context: Process context; may sleep: it migrates pages, and waits up to
 * 100 ms for pages pinned for a moment.
 * Return: the first of @count contiguous pages, or NULL.
 */
struct page *cma_alloc(struct cma *cma, unsigned long count, unsigned int align,
		       bool no_warn)
{
	gfp_t gfp = GFP_KERNEL;

	if (no_warn)
		gfp |= __GFP_NOWARN;
	return cma_alloc_pages(cma, count, align, gfp);
}

/* Turn 1 << @order fresh pages, each with one reference, into a folio. */
static void cma_make_folio(struct page *page, unsigned int order)
{
	unsigned long i;

	for (i = 1; i < (1UL << order); i++)
		set_page_count(nth_page(page, i), 0);
	prep_compound_page(page, order);
}

/**
 * cma_alloc_folio() - allocate a large folio from an area
 * @cma: the area.
 * @order: order of the folio, at least 1.
 * @gfp: allocation flags; must include __GFP_COMP. With __GFP_NORETRY, or
 *	without __GFP_DIRECT_RECLAIM, busy pages are not waited for.
 *
 * Context: Process context; may sleep.
 * Return: a folio of 1 << @order pages aligned to its size, or NULL.
 */
struct folio *cma_alloc_folio(struct cma *cma, int order, gfp_t gfp)
{
	struct page *page;

	if (WARN_ON(order <= 0 || !(gfp & __GFP_COMP)))
		return NULL;
	if (order >= pageblock_order) {
		page = cma_alloc_pages(cma, 1UL << order, order, gfp);
		return page ? page_folio(page) : NULL;
	}

	/*
	 * alloc_contig_range() builds a compound page only when the range is
	 * a whole free buddy block after isolation, which a part of a
	 * pageblock rarely is; it then fails with a warning. Take plain pages
	 * and make the folio here instead.
	 */
	page = cma_alloc_pages(cma, 1UL << order, order, gfp & ~__GFP_COMP);
	if (!page)
		return NULL;
	cma_make_folio(page, order);
	return page_folio(page);
}

/**
 * cma_pages_valid() - whether pages belong to an area
 * @cma: the area.
 * @pages: first page.
 * @count: number of pages.
 *
 * Context: Any context.
 * Return: true if the range starts inside @cma; a range that starts inside
 * but runs past the end is a caller bug, warned about, and false.
 */
bool cma_pages_valid(struct cma *cma, const struct page *pages, unsigned long count)
{
	unsigned long first, room;

	if (!cma || !pages || !cma->count)
		return false;
	first = page_to_pfn(pages);
	if (first < cma->base_pfn)
		return false;
	room = cma->base_pfn + cma->count - first;
	if (first >= cma->base_pfn + cma->count)
		return false;
	return !WARN_ONCE(count > room,
			  "cma: %s: %lu pages at pfn %#lx run past the area\n",
			  cma->name, count, first);
}

/**
 * cma_release() - give back pages from cma_alloc()
 * @cma: the area.
 * @pages: first page, as cma_alloc() returned it.
 * @count: number of pages.
 *
 * Context: Process context.
 * Return: false if the pages are not from @cma (nothing is done), true
 * after releasing them.
 */
bool cma_release(struct cma *cma, const struct page *pages, unsigned long count)
{
	unsigned long first = pages ? page_to_pfn(pages) : 0;

	if (!cma_pages_valid(cma, pages, count))
		return false;
	/* Pages first: the bitmap must not offer them while still in use. */
	if (folio_test_large(page_folio(pages)))
		free_contig_range(first, count);
	else
		cma_free_range(first, count);
	cma_mark_free(cma, (first - cma->base_pfn) >> cma->order_per_bit,
		      cma_bitmap_pages_to_bits(cma, count));
	trace_cma_release(cma->name, first, pages, count);
	cma_sysfs_account_release_pages(cma, count);
	return true;
}

/**
 * cma_free_folio() - give back a folio from cma_alloc_folio()
 * @cma: the area.
 * @folio: the folio.
 *
 * Context: Process context.
 * Return: as cma_release(); false for a folio that is not large.
 */
bool cma_free_folio(struct cma *cma, const struct folio *folio)
{
	long nr = folio_nr_pages(folio);

	/* A single page was never a CMA folio. */
	return !WARN_ON(nr < 2) && cma_release(cma, folio_page(folio, 0), nr);
}

/*
 * Documented at its declaration in <linux/cma.h>. The name is in
 * parentheses because checkpatch takes any "for_each" name for a loop.
 */
int (cma_for_each_area)(int (*it)(struct cma *cma, void *data), void *data)
{
	unsigned int idx = 0;
	int stop = 0;

	while (!stop && idx < cma_area_count)
		stop = it(cma_area_at(idx++), data);
	return stop;
}

#ifdef CONFIG_CMA_KUNIT_TEST
#include "tests/cma_kunit.h"
#endif
