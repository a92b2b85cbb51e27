/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for the Contiguous Memory Allocator, included at the end of
 * mm/cma.c so that they can read an area's bitmap and counters directly.
 *
 * Two suites:
 *  - cma_bitmap: the index arithmetic (alignment mask and offset, pages to
 *    bits) on areas made up in the test, for several order_per_bit values,
 *    and the windows the bitmap search hands out with them;
 *  - cma_alloc: real allocations on the areas reserved at boot. The harness
 *    boots with "cma=" and per-node areas ("cma_pernuma="), more areas than
 *    CONFIG_CMA_AREAS, so the table has grown. The tests use the last area,
 *    which no driver picks by default, and check after every step that the
 *    O(1) free count agrees with the bitmap. A test that needs something
 *    the boot did not provide (a second area, a grown table, an area whose
 *    pages all move) is skipped, saying why.
 *
 * A page made busy behind CMA's back (taken with alloc_contig_range(), so
 * the bitmap still calls it free) shows how many windows a request tries:
 * a probe on the cma_alloc_busy_retry tracepoint counts them.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/timer.h>

/* --- cma_bitmap --------------------------------------------------------- */

static void cma_test_aligned_mask(struct kunit *test)
{
	static const unsigned int orders[] = { 0, 1, 4, 9 };
	struct cma cma = { };
	unsigned int i, align;

	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		cma.order_per_bit = orders[i];
		for (align = 0; align <= 12; align++) {
			unsigned long want = align > orders[i] ?
				(1UL << (align - orders[i])) - 1 : 0;

			KUNIT_EXPECT_EQ_MSG(test, want,
					    cma_bitmap_aligned_mask(&cma, align),
					    "order_per_bit %u align %u",
					    orders[i], align);
		}
	}
}

static void cma_test_aligned_offset(struct kunit *test)
{
	struct cma cma = { .base_pfn = 0x12345 };

	cma.order_per_bit = 0;
	KUNIT_EXPECT_EQ(test, 0UL, cma_bitmap_aligned_offset(&cma, 0));
	KUNIT_EXPECT_EQ(test, 0x5UL, cma_bitmap_aligned_offset(&cma, 4));
	KUNIT_EXPECT_EQ(test, 0x145UL, cma_bitmap_aligned_offset(&cma, 9));
	cma.order_per_bit = 2;
	KUNIT_EXPECT_EQ(test, 0x1UL, cma_bitmap_aligned_offset(&cma, 4));
	KUNIT_EXPECT_EQ(test, 0x51UL, cma_bitmap_aligned_offset(&cma, 9));
	cma.base_pfn = 0x40000;
	KUNIT_EXPECT_EQ(test, 0UL, cma_bitmap_aligned_offset(&cma, 9));
}

static void cma_test_pages_to_bits(struct kunit *test)
{
	struct cma cma = { .order_per_bit = 0 };

	KUNIT_EXPECT_EQ(test, 1UL, cma_bitmap_pages_to_bits(&cma, 1));
	KUNIT_EXPECT_EQ(test, 513UL, cma_bitmap_pages_to_bits(&cma, 513));
	cma.order_per_bit = 3;
	KUNIT_EXPECT_EQ(test, 1UL, cma_bitmap_pages_to_bits(&cma, 1));
	KUNIT_EXPECT_EQ(test, 1UL, cma_bitmap_pages_to_bits(&cma, 8));
	KUNIT_EXPECT_EQ(test, 2UL, cma_bitmap_pages_to_bits(&cma, 9));
	cma.count = 1024;
	KUNIT_EXPECT_EQ(test, 128UL, cma_bitmap_maxno(&cma));
}

/* Windows found with mask and offset start on an aligned pfn. */
static void cma_test_window_alignment(struct kunit *test)
{
	static const unsigned int orders[] = { 0, 1, 3 };
	const unsigned long nbits = 8192;
	/* Areas start on a pageblock; larger alignments need the offset. */
	struct cma cma = { .base_pfn = 0x1200, .count = nbits };
	unsigned long *map = kunit_kzalloc(test, nbits / 8, GFP_KERNEL);
	unsigned int i, align;

	KUNIT_ASSERT_NOT_NULL(test, map);
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		cma.order_per_bit = orders[i];
		for (align = orders[i]; align <= 12; align++) {
			unsigned long mask = cma_bitmap_aligned_mask(&cma, align);
			unsigned long off = cma_bitmap_aligned_offset(&cma, align);
			unsigned long bit, pfn;

			bitmap_zero(map, nbits);
			bitmap_set(map, 0, 1);	/* the first bit is taken */
			bit = bitmap_find_next_zero_area_off(map, nbits, 0, 2,
							     mask, off);
			KUNIT_ASSERT_LT(test, bit, nbits);
			pfn = cma.base_pfn + (bit << cma.order_per_bit);
			KUNIT_EXPECT_EQ_MSG(test, 0UL, pfn & ((1UL << align) - 1),
					    "order_per_bit %u align %u bit %lu",
					    orders[i], align, bit);
		}
	}
}

static struct kunit_case cma_bitmap_cases[] = {
	KUNIT_CASE(cma_test_aligned_mask),
	KUNIT_CASE(cma_test_aligned_offset),
	KUNIT_CASE(cma_test_pages_to_bits),
	KUNIT_CASE(cma_test_window_alignment),
	{}
};

static struct kunit_suite cma_bitmap_suite = {
	.name = "cma_bitmap",
	.test_cases = cma_bitmap_cases,
};

/* --- cma_alloc ---------------------------------------------------------- */

static unsigned long cma_test_bitmap_used(struct cma *cma)
{
	unsigned long flags, bits;

	spin_lock_irqsave(&cma->lock, flags);
	bits = bitmap_weight(cma->bitmap, cma_bitmap_maxno(cma));
	spin_unlock_irqrestore(&cma->lock, flags);
	return bits << cma->order_per_bit;
}

/*
 * The usable area at rank @skip, counted from the end of the table, where
 * the per-node areas follow "cma=" and no driver allocates from them while
 * the suite runs. Idle areas rank before the ones a driver already uses:
 * on 32-bit ARM the DMA API takes its atomic pool from the default area at
 * boot, and that area comes last.
 */
static struct cma *cma_test_area(unsigned int skip)
{
	unsigned int i, pass;
	struct cma *cma;
	bool idle;

	for (pass = 0; pass < 2; pass++) {
		for (i = cma_area_count; i--;) {
			cma = cma_area_at(i);
			if (!cma->count || !cma->bitmap)
				continue;
			idle = cma_available_pages(cma) == cma->count;
			if (idle == !pass && !skip--)
				return cma;
		}
	}
	return NULL;
}

static int cma_alloc_test_init(struct kunit *test)
{
	struct cma *cma = cma_test_area(0);

	if (!cma)
		kunit_skip(test, "no CMA area was activated at boot");
	test->priv = cma;
	return 0;
}

static void cma_test_consistent(struct kunit *test, struct cma *cma)
{
	KUNIT_EXPECT_EQ(test, cma_test_bitmap_used(cma), cma_used_pages(cma));
	KUNIT_EXPECT_EQ(test, cma->count - cma_used_pages(cma),
			cma_available_pages(cma));
}

static void cma_test_sizes(struct kunit *test)
{
	struct cma *cma = test->priv;
	const unsigned long sizes[] = {
		1, 16, pageblock_nr_pages, 4 * pageblock_nr_pages,
	};
	unsigned long used = cma_used_pages(cma), pfn;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct page *page;

		if (sizes[i] > cma->count - used)
			continue;
		page = cma_alloc(cma, sizes[i], 0, true);
		KUNIT_ASSERT_NOT_NULL_MSG(test, page, "%lu pages", sizes[i]);
		pfn = page_to_pfn(page);
		KUNIT_EXPECT_GE(test, pfn, cma->base_pfn);
		KUNIT_EXPECT_LE(test, pfn + sizes[i], cma->base_pfn + cma->count);
		KUNIT_EXPECT_EQ(test, used + sizes[i], cma_used_pages(cma));
		KUNIT_EXPECT_EQ(test, 1, page_count(page));
		cma_test_consistent(test, cma);
		KUNIT_EXPECT_TRUE(test, cma_release(cma, page, sizes[i]));
		KUNIT_EXPECT_EQ(test, used, cma_used_pages(cma));
	}
	cma_test_consistent(test, cma);
}

/*
 * A small request alone in a free pageblock takes the whole pageblock and
 * gives the rest back: the rest must be free again, right away.
 */
static void cma_test_small_gives_back(struct kunit *test)
{
	struct cma *cma = test->priv;
	unsigned long rest = pageblock_nr_pages - 1;
	struct page *one, *others;

	if (cma_available_pages(cma) != cma->count)
		kunit_skip(test, "area %s is in use", cma->name);
	one = cma_alloc(cma, 1, 0, true);
	KUNIT_ASSERT_NOT_NULL(test, one);
	KUNIT_EXPECT_EQ(test, 1UL, cma_used_pages(cma));
	others = cma_alloc(cma, rest, 0, true);
	KUNIT_ASSERT_NOT_NULL(test, others);
	KUNIT_EXPECT_EQ(test, page_to_pfn(one) + 1, page_to_pfn(others));
	KUNIT_EXPECT_EQ(test, 1, page_count(others));
	KUNIT_EXPECT_EQ(test, 1, page_count(nth_page(others, rest - 1)));
	KUNIT_EXPECT_TRUE(test, cma_release(cma, others, rest));
	KUNIT_EXPECT_TRUE(test, cma_release(cma, one, 1));
	KUNIT_EXPECT_EQ(test, 0UL, cma_used_pages(cma));
	cma_test_consistent(test, cma);
}

static void cma_test_alignment(struct kunit *test)
{
	struct cma *cma = test->priv;
	struct page *hole, *page;
	unsigned int align;

	/* Take one page first so that an unaligned window would be free. */
	hole = cma_alloc(cma, 1, 0, true);
	KUNIT_ASSERT_NOT_NULL(test, hole);
	for (align = 0; align <= pageblock_order; align++) {
		page = cma_alloc(cma, 3, align, true);
		KUNIT_ASSERT_NOT_NULL_MSG(test, page, "align %u", align);
		KUNIT_EXPECT_EQ_MSG(test, 0UL,
				    page_to_pfn(page) & ((1UL << align) - 1),
				    "align %u", align);
		KUNIT_EXPECT_TRUE(test, cma_release(cma, page, 3));
	}
	KUNIT_EXPECT_TRUE(test, cma_release(cma, hole, 1));
	cma_test_consistent(test, cma);
}

static void cma_test_counters(struct kunit *test)
{
	struct cma *cma = test->priv;
	unsigned long avail = cma_available_pages(cma);
	struct page *page;
#ifdef CONFIG_CMA_SYSFS
	s64 ok = atomic64_read(&cma->nr_pages_succeeded);
	s64 fail = atomic64_read(&cma->nr_pages_failed);
	s64 rel = atomic64_read(&cma->nr_pages_released);
#endif

	page = cma_alloc(cma, 37, 0, true);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, avail - 37, cma_available_pages(cma));
	KUNIT_EXPECT_TRUE(test, cma_release(cma, page, 37));
	KUNIT_EXPECT_EQ(test, avail, cma_available_pages(cma));
	KUNIT_EXPECT_NULL(test, cma_alloc(cma, cma->count + 1, 0, true));
#ifdef CONFIG_CMA_SYSFS
	KUNIT_EXPECT_EQ(test, ok + 37, atomic64_read(&cma->nr_pages_succeeded));
	KUNIT_EXPECT_EQ(test, rel + 37, atomic64_read(&cma->nr_pages_released));
	KUNIT_EXPECT_EQ(test, fail + (s64)cma->count + 1,
			atomic64_read(&cma->nr_pages_failed));
#endif
}

static void cma_test_exhaustion(struct kunit *test)
{
	struct cma *cma = test->priv;
	unsigned long free = cma_available_pages(cma);
	struct page *all, *one;
#ifdef CONFIG_CMA_SYSFS
	s64 fail = atomic64_read(&cma->nr_pages_failed);
#endif

	if (free != cma->count)
		kunit_skip(test, "area %s is in use", cma->name);
	all = cma_alloc(cma, cma->count, 0, true);
	if (!all)
		kunit_skip(test, "pages of %s did not all move", cma->name);
	KUNIT_EXPECT_EQ(test, 0UL, cma_available_pages(cma));
	KUNIT_EXPECT_EQ(test, 0UL, cma_largest_free_run(cma));
	one = cma_alloc(cma, 1, 0, true);
	KUNIT_EXPECT_NULL(test, one);
#ifdef CONFIG_CMA_SYSFS
	KUNIT_EXPECT_EQ(test, fail + 1, atomic64_read(&cma->nr_pages_failed));
#endif
	if (one)
		cma_release(cma, one, 1);
	KUNIT_EXPECT_TRUE(test, cma_release(cma, all, cma->count));
	KUNIT_EXPECT_EQ(test, cma->count, cma_largest_free_run(cma));
	cma_test_consistent(test, cma);
}

static void cma_test_foreign_release(struct kunit *test)
{
	struct cma *cma = test->priv, *other = cma_test_area(1);
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long used = cma_used_pages(cma);

	KUNIT_ASSERT_NOT_NULL(test, page);
	/* Unmovable pages never come from a CMA area. */
	KUNIT_EXPECT_FALSE(test, cma_pages_valid(cma, page, 1));
	KUNIT_EXPECT_FALSE(test, cma_release(cma, page, 1));
	__free_page(page);
	KUNIT_EXPECT_FALSE(test, cma_release(cma, NULL, 1));
	KUNIT_EXPECT_FALSE(test, cma_release(NULL, page, 1));
	if (other) {
		page = cma_alloc(other, 1, 0, true);
		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_EXPECT_FALSE(test, cma_release(cma, page, 1));
		KUNIT_EXPECT_TRUE(test, cma_release(other, page, 1));
	}
	KUNIT_EXPECT_EQ(test, used, cma_used_pages(cma));
}

static void cma_test_pages_valid(struct kunit *test)
{
	struct cma *cma = test->priv;
	unsigned long end = cma->base_pfn + cma->count;
	struct page *first = pfn_to_page(cma->base_pfn);

	KUNIT_EXPECT_TRUE(test, cma_pages_valid(cma, first, cma->count));
	KUNIT_EXPECT_TRUE(test, cma_pages_valid(cma, pfn_to_page(end - 1), 1));
	KUNIT_EXPECT_FALSE(test, cma_pages_valid(cma, pfn_to_page(end), 1));
	if (pfn_valid(cma->base_pfn - 1)) {
		struct page *before = pfn_to_page(cma->base_pfn - 1);

		KUNIT_EXPECT_FALSE(test, cma_pages_valid(cma, before, 1));
	}
	KUNIT_EXPECT_FALSE(test, cma_pages_valid(NULL, first, 1));
	KUNIT_EXPECT_FALSE(test, cma_pages_valid(cma, NULL, 1));
}

static void cma_test_folio(struct kunit *test)
{
	struct cma *cma = test->priv;
	unsigned long used = cma_used_pages(cma);
	struct folio *folio;

	unsigned int orders[] = { 1, 4, pageblock_order }, i;

	/* Smaller than a pageblock, cma.c builds the folio; else the buddy. */
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		unsigned long nr = 1UL << orders[i];

		folio = cma_alloc_folio(cma, orders[i],
					GFP_KERNEL | __GFP_COMP | __GFP_NOWARN);
		KUNIT_ASSERT_NOT_NULL_MSG(test, folio, "order %u", orders[i]);
		KUNIT_EXPECT_TRUE(test, folio_test_large(folio));
		KUNIT_EXPECT_EQ(test, orders[i], folio_order(folio));
		KUNIT_EXPECT_EQ(test, 1, folio_ref_count(folio));
		KUNIT_EXPECT_EQ(test, 0UL, folio_pfn(folio) & (nr - 1));
		KUNIT_EXPECT_EQ(test, used + nr, cma_used_pages(cma));
		KUNIT_EXPECT_TRUE(test, cma_free_folio(cma, folio));
		KUNIT_EXPECT_EQ(test, used, cma_used_pages(cma));
	}
	cma_test_consistent(test, cma);
}

/*
 * Take the page @offset pages into @cma away from the buddy allocator
 * without telling CMA: the bitmap says free, the page cannot move.
 */
static unsigned long cma_test_make_busy(struct kunit *test, struct cma *cma,
					unsigned long offset)
{
	unsigned long pfn = cma->base_pfn + offset;

	KUNIT_ASSERT_EQ(test, 0, alloc_contig_range(pfn, pfn + 1, MIGRATE_CMA,
						    GFP_KERNEL | __GFP_NOWARN));
	return pfn;
}

/* Busy windows of one area, as the cma_alloc_busy_retry tracepoint saw them. */
struct cma_test_busy_count {
	const char *name;
	atomic_t windows;
};

static void cma_test_busy_probe(void *data, const char *name,
				unsigned long pfn, const struct page *page,
				unsigned long count, unsigned int align)
{
	struct cma_test_busy_count *c = data;

	if (!strcmp(name, c->name))
		atomic_inc(&c->windows);
}

static void cma_test_unprobe(void *data)
{
	unregister_trace_cma_alloc_busy_retry(cma_test_busy_probe, data);
	tracepoint_synchronize_unregister();
}

/* Count the busy windows of @cma until the test ends. */
static struct cma_test_busy_count *
cma_test_count_busy(struct kunit *test, struct cma *cma)
{
	struct cma_test_busy_count *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->name = cma->name;
	if (register_trace_cma_alloc_busy_retry(cma_test_busy_probe, c))
		kunit_skip(test, "cannot probe cma_alloc_busy_retry");
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, cma_test_unprobe, c));
	return c;
}

static void cma_test_busy_skips(struct kunit *test)
{
	struct cma *cma = test->priv;
	struct cma_test_busy_count *count;
	unsigned long busy, room;
	struct page *page;
	int seen;

	if (cma_available_pages(cma) != cma->count ||
	    cma->count < 2 * pageblock_nr_pages)
		kunit_skip(test, "needs an idle area of two pageblocks");
	count = cma_test_count_busy(test, cma);

	/* A 512-page request with the busy page 100 pages in. */
	busy = cma_test_make_busy(test, cma, 100);
	seen = atomic_read(&count->windows);
	page = cma_alloc(cma, pageblock_nr_pages, 0, true);
	KUNIT_EXPECT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, seen + 1, atomic_read(&count->windows));
	if (page) {
		KUNIT_EXPECT_GT(test, page_to_pfn(page), busy);
		/* A skipped window sends a pageblock request to a boundary. */
		KUNIT_EXPECT_EQ(test, 0UL,
				page_to_pfn(page) & (pageblock_nr_pages - 1));
		cma_release(cma, page, pageblock_nr_pages);
	}
	free_contig_range(busy, 1);

	/*
	 * Larger than the room on either side of the busy page: each round
	 * ends after one skip by the scan and one real attempt.
	 */
	busy = cma_test_make_busy(test, cma, cma->count / 2 + 1);
	room = cma->count / 2 + 2;
	seen = atomic_read(&count->windows);
	page = cma_alloc(cma, room, 0, true);
	KUNIT_EXPECT_NULL(test, page);
	KUNIT_EXPECT_EQ(test,
			seen + 2 * (1 + (int)ARRAY_SIZE(cma_busy_pause_ms)),
			atomic_read(&count->windows));
	if (page)
		cma_release(cma, page, room);
	free_contig_range(busy, 1);
	cma_test_consistent(test, cma);
}

/* --- the fast path ------------------------------------------------------ */

/* Count the requests the fast path serves until the test ends. */
static atomic_t *cma_test_watch_fast(struct kunit *test)
{
	struct kunit_resource *res;
	atomic_t *served;

	res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
	served = kunit_kzalloc(test, sizeof(*served), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_ASSERT_NOT_NULL(test, served);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_named_resource(test, NULL, NULL, res,
							  "cma_fast_path",
							  served));
	return served;
}

struct cma_test_free {
	long pages;
	long cma;
};

static struct cma_test_free cma_test_free_now(struct zone *zone)
{
	struct cma_test_free now = {
		.pages = zone_page_state_snapshot(zone, NR_FREE_PAGES),
		.cma = zone_page_state_snapshot(zone, NR_FREE_CMA_PAGES),
	};

	return now;
}

static bool cma_test_free_moved(struct cma_test_free before,
				struct cma_test_free after, long by)
{
	return after.pages - before.pages == by && after.cma - before.cma == by;
}

/*
 * One allocation of @nr pages at @align through the fast path, and its
 * release: both free page counters drop by exactly @nr, and come back.
 * Another CPU may allocate or free at the same moment; only a delta that
 * is wrong three times in a row counts.
 */
static void cma_test_fast_one(struct kunit *test, struct cma *cma,
			      atomic_t *served, unsigned long nr,
			      unsigned int align)
{
	struct zone *zone = page_zone(pfn_to_page(cma->base_pfn));
	struct cma_test_free before, taken, back;
	bool exact = false;
	struct page *page;
	int tries, seen;

	for (tries = 0; tries < 3 && !exact; tries++) {
		seen = atomic_read(served);
		before = cma_test_free_now(zone);
		page = cma_alloc(cma, nr, align, true);
		taken = cma_test_free_now(zone);
		KUNIT_ASSERT_NOT_NULL_MSG(test, page, "%lu pages, align %u",
					  nr, align);
		KUNIT_EXPECT_EQ_MSG(test, seen + 1, atomic_read(served),
				    "%lu pages, align %u", nr, align);
		KUNIT_EXPECT_EQ(test, 0UL,
				page_to_pfn(page) & ((1UL << align) - 1));
		KUNIT_EXPECT_EQ(test, 1, page_count(page));
		KUNIT_EXPECT_EQ(test, 1, page_count(nth_page(page, nr - 1)));
		KUNIT_EXPECT_TRUE(test, cma_release(cma, page, nr));
		back = cma_test_free_now(zone);
		exact = cma_test_free_moved(before, taken, -(long)nr) &&
			cma_test_free_moved(taken, back, nr);
	}
	KUNIT_EXPECT_TRUE_MSG(test, exact,
			      "%lu pages, align %u: free %ld -> %ld -> %ld, cma %ld -> %ld -> %ld",
			      nr, align, before.pages, taken.pages, back.pages,
			      before.cma, taken.cma, back.cma);
}

static void cma_test_fast_sizes(struct kunit *test)
{
	static const unsigned long sizes[] = { 1, 2, 16, 511, 512, 2048 };
	struct cma *cma = test->priv;
	atomic_t *served = cma_test_watch_fast(test);
	unsigned int i, align;

	if (cma_available_pages(cma) != cma->count || cma->order_per_bit)
		kunit_skip(test, "needs an idle area of one page per bit");
	/* Pages earlier tests left on per-CPU lists go back to the buddy. */
	drain_all_pages(page_zone(pfn_to_page(cma->base_pfn)));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (sizes[i] > cma->count)
			continue;
		for (align = 0; align <= 9; align++)
			cma_test_fast_one(test, cma, served, sizes[i], align);
	}
	cma_test_consistent(test, cma);
}

/*
 * A page on a per-CPU list is not free in the buddy allocator: the window
 * goes to alloc_contig_range(), which drains the lists, and is still
 * taken. A page in use that cannot move sends the request to the next
 * window, which the fast path serves.
 */
static void cma_test_fast_falls_back(struct kunit *test)
{
	struct cma *cma = test->priv;
	struct zone *zone = page_zone(pfn_to_page(cma->base_pfn));
	atomic_t *served = cma_test_watch_fast(test);
	struct cma_test_busy_count *busy_windows;
	unsigned long pfn, busy;
	struct page *page;
	int seen, busy_seen;

	if (cma_available_pages(cma) != cma->count || cma->order_per_bit)
		kunit_skip(test, "needs an idle area of one page per bit");
	busy_windows = cma_test_count_busy(test, cma);
	drain_all_pages(zone);

	page = cma_alloc(cma, 1, 0, true);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	/* Behind CMA's back: free in the bitmap, on a per-CPU list. */
	cma_mark_free(cma, pfn - cma->base_pfn, 1);
	__free_page(page);
	if (PageBuddy(page))
		kunit_skip(test, "the page went to the buddy, not a per-CPU list");
	seen = atomic_read(served);
	page = cma_alloc(cma, 1, 0, true);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, seen, atomic_read(served));
	KUNIT_EXPECT_EQ(test, pfn, page_to_pfn(page));
	KUNIT_EXPECT_TRUE(test, cma_release(cma, page, 1));

	busy = cma_test_make_busy(test, cma, 5);
	drain_all_pages(zone);
	seen = atomic_read(served);
	busy_seen = atomic_read(&busy_windows->windows);
	page = cma_alloc(cma, 16, 0, true);
	KUNIT_EXPECT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, busy_seen + 1,
			atomic_read(&busy_windows->windows));
	KUNIT_EXPECT_EQ(test, seen + 1, atomic_read(served));
	if (page) {
		KUNIT_EXPECT_GT(test, page_to_pfn(page), busy);
		cma_release(cma, page, 16);
	}
	free_contig_range(busy, 1);
	cma_test_consistent(test, cma);
}

/* --- busy windows retried ------------------------------------------------ */

/*
 * Leave @cma with one free window, its first pageblock, and a page that
 * cannot move 100 pages into it. Returns the pages holding the rest of
 * the area; *@busy is the busy page.
 */
static struct page *cma_test_one_busy_window(struct kunit *test,
					     struct cma *cma,
					     unsigned long *busy)
{
	unsigned long win = pageblock_nr_pages;
	struct page *first, *rest;

	if (cma_available_pages(cma) != cma->count || cma->order_per_bit ||
	    cma->count < 2 * win)
		kunit_skip(test, "needs an idle area of two pageblocks");
	first = cma_alloc(cma, win, 0, true);
	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_ASSERT_EQ(test, cma->base_pfn, page_to_pfn(first));
	rest = cma_alloc(cma, cma->count - win, 0, true);
	KUNIT_ASSERT_NOT_NULL(test, rest);
	KUNIT_ASSERT_TRUE(test, cma_release(cma, first, win));
	*busy = cma_test_make_busy(test, cma, 100);
	return rest;
}

static unsigned int cma_test_pauses_ms(void)
{
	unsigned int i, ms = 0;

	for (i = 0; i < ARRAY_SIZE(cma_busy_pause_ms); i++)
		ms += cma_busy_pause_ms[i];
	return ms;
}

struct cma_test_release {
	struct timer_list timer;
	unsigned long pfn;
	bool done;
};

static void cma_test_release_fn(struct timer_list *t)
{
	struct cma_test_release *r = from_timer(r, t, timer);

	free_contig_range(r->pfn, 1);
	WRITE_ONCE(r->done, true);
}

/* The busy page goes 20 ms into the request: a later round takes it. */
static void cma_test_retry_succeeds(struct kunit *test)
{
	struct cma *cma = test->priv;
	unsigned long win = pageblock_nr_pages, busy;
	struct cma_test_release *r;
	struct page *rest, *page;

	rest = cma_test_one_busy_window(test, cma, &busy);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->pfn = busy;
	timer_setup(&r->timer, cma_test_release_fn, 0);
	mod_timer(&r->timer, jiffies + msecs_to_jiffies(20));
	page = cma_alloc(cma, win, 0, true);
	timer_delete_sync(&r->timer);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(r->done));
	if (!READ_ONCE(r->done))
		free_contig_range(busy, 1);
	KUNIT_EXPECT_NOT_NULL(test, page);
	if (page) {
		KUNIT_EXPECT_EQ(test, cma->base_pfn, page_to_pfn(page));
		cma_release(cma, page, win);
	}
	cma_release(cma, rest, cma->count - win);
	cma_test_consistent(test, cma);
}

/*
 * Kept busy: NULL once the pauses are over, within them plus the
 * attempts, each round trying the window twice (scanned, then for
 * real). __GFP_NORETRY: one round. No room at all: NULL at once.
 */
static void cma_test_retry_bounded(struct kunit *test)
{
	struct cma *cma = test->priv;
	unsigned long win = pageblock_nr_pages, busy;
	unsigned int rounds = 1 + ARRAY_SIZE(cma_busy_pause_ms);
	struct cma_test_busy_count *count;
	struct folio *folio;
	struct page *rest, *page;
	s64 ms;
	u64 t0;
	int seen;

	rest = cma_test_one_busy_window(test, cma, &busy);
	count = cma_test_count_busy(test, cma);

	seen = atomic_read(&count->windows);
	t0 = ktime_get_ns();
	page = cma_alloc(cma, win, 0, true);
	ms = div_s64(ktime_get_ns() - t0, NSEC_PER_MSEC);
	KUNIT_EXPECT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, seen + 2 * (int)rounds,
			atomic_read(&count->windows));
	KUNIT_EXPECT_GE(test, ms, (s64)cma_test_pauses_ms());
	KUNIT_EXPECT_LT(test, ms, (s64)cma_test_pauses_ms() + 1000);

	seen = atomic_read(&count->windows);
	folio = cma_alloc_folio(cma, pageblock_order, GFP_KERNEL | __GFP_COMP |
				__GFP_NORETRY | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, folio);
	KUNIT_EXPECT_EQ(test, seen + 2, atomic_read(&count->windows));

	seen = atomic_read(&count->windows);
	t0 = ktime_get_ns();
	page = cma_alloc(cma, win + 1, 0, true);
	ms = div_s64(ktime_get_ns() - t0, NSEC_PER_MSEC);
	KUNIT_EXPECT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, seen, atomic_read(&count->windows));
	KUNIT_EXPECT_LT(test, ms, (s64)cma_busy_pause_ms[0]);

	if (page)
		cma_release(cma, page, win);
	if (folio)
		cma_free_folio(cma, folio);
	free_contig_range(busy, 1);
	cma_release(cma, rest, cma->count - win);
	cma_test_consistent(test, cma);
}

struct cma_test_worker {
	struct cma *cma;
	struct completion *go;
	struct completion done;
	unsigned int rounds, failures;
};

static int cma_test_worker_fn(void *data)
{
	struct cma_test_worker *w = data;
	struct page *page;
	unsigned int i;

	wait_for_completion(w->go);
	for (i = 0; i < w->rounds; i++) {
		page = cma_alloc(w->cma, pageblock_nr_pages, 0, true);
		if (!page) {
			w->failures++;
			continue;
		}
		if (!cma_release(w->cma, page, pageblock_nr_pages))
			w->failures++;
	}
	complete(&w->done);
	return 0;
}

static void cma_test_two_areas(struct kunit *test)
{
	struct cma *areas[2] = { test->priv, cma_test_area(1) };
	struct cma_test_worker w[2] = { };
	unsigned long used[2];
	DECLARE_COMPLETION_ONSTACK(go);
	struct task_struct *t;
	int i;

	if (!areas[1])
		kunit_skip(test, "needs two CMA areas");
	for (i = 0; i < 2; i++) {
		w[i].cma = areas[i];
		w[i].go = &go;
		w[i].rounds = 20;
		init_completion(&w[i].done);
		used[i] = cma_used_pages(areas[i]);
		t = kthread_run(cma_test_worker_fn, &w[i], "cma_kunit/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	complete_all(&go);
	for (i = 0; i < 2; i++) {
		wait_for_completion(&w[i].done);
		KUNIT_EXPECT_EQ(test, 0U, w[i].failures);
		KUNIT_EXPECT_EQ(test, used[i], cma_used_pages(areas[i]));
		cma_test_consistent(test, areas[i]);
	}
}

/* More areas than static slots: each one is distinct and allocates. */
static void cma_test_grown_table(struct kunit *test)
{
	struct cma *cma, *prev = NULL;
	struct page *page;
	unsigned int i;

	if (cma_area_count <= MAX_CMA_AREAS)
		kunit_skip(test, "boot declared %u areas, table holds %u",
			   cma_area_count, MAX_CMA_AREAS);
	for (i = 0; i < cma_area_count; i++) {
		cma = cma_area_at(i);
		KUNIT_ASSERT_NOT_NULL(test, cma);
		KUNIT_EXPECT_PTR_NE(test, prev, cma);
		prev = cma;
		if (!cma->count)
			continue;
		page = cma_alloc(cma, 1, 0, true);
		KUNIT_EXPECT_NOT_NULL_MSG(test, page, "area %s", cma->name);
		if (page)
			KUNIT_EXPECT_TRUE(test, cma_release(cma, page, 1));
	}
	KUNIT_EXPECT_EQ(test, i, cma_area_count);
	KUNIT_EXPECT_NULL(test, cma_area_at(cma_area_count));
}

static struct kunit_case cma_alloc_cases[] = {
	KUNIT_CASE(cma_test_sizes),
	KUNIT_CASE(cma_test_small_gives_back),
	KUNIT_CASE(cma_test_alignment),
	KUNIT_CASE(cma_test_counters),
	KUNIT_CASE(cma_test_exhaustion),
	KUNIT_CASE(cma_test_foreign_release),
	KUNIT_CASE(cma_test_pages_valid),
	KUNIT_CASE(cma_test_folio),
	KUNIT_CASE(cma_test_busy_skips),
	KUNIT_CASE(cma_test_fast_sizes),
	KUNIT_CASE(cma_test_fast_falls_back),
	KUNIT_CASE(cma_test_retry_succeeds),
	KUNIT_CASE(cma_test_retry_bounded),
	KUNIT_CASE(cma_test_two_areas),
	KUNIT_CASE(cma_test_grown_table),
	{}
};

static struct kunit_suite cma_alloc_suite = {
	.name = "cma_alloc",
	.init = cma_alloc_test_init,
	.test_cases = cma_alloc_cases,
};

kunit_test_suites(&cma_bitmap_suite, &cma_alloc_suite);
