/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for the DMA pool allocator, included at the end of
 * mm/dmapool.c so that they can look at a pool's chunks, stashes, depot
 * and counters directly.
 *
 * How the tests see what they check:
 *  - geometry: every block a test gets is checked against the pool's chunk
 *    list (inside one chunk, at the right offset, aligned, not across the
 *    boundary) and, sorted, against its neighbours (no overlap);
 *  - counters: the text of the device's "pools" file, produced by the same
 *    pools_show() that sysfs calls, compared with what the test expects;
 *  - free blocks: a test overwrites blocks it freed (a pattern, then
 *    pointers into other freed blocks, as a late DMA write or a use after
 *    free would) and allocates them again; outside debug mode they must
 *    come back as valid, distinct blocks, in debug mode each overwrite
 *    must be reported;
 *  - detections: dma_pool_report() counts into the test's "dmapool_errors"
 *    resource, so a test asserts that a bad free was noticed without
 *    reading the log;
 *  - concurrency: two kthreads bound to different CPUs stamp every block
 *    they hold with their own pattern and check it before freeing; a block
 *    handed out twice shows up as a foreign stamp. A third thread may
 *    create and destroy pools on the same device meanwhile.
 *
 * Each test gets a fresh device from kunit_device_register() with a 64-bit
 * coherent DMA mask; KUnit unregisters it after the test.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

struct dmapool_test_ctx {
	struct device *dev;
	int errors;
	struct kunit_resource errors_res;
};

static int dmapool_test_init(struct kunit *test)
{
	struct dmapool_test_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->dev = kunit_device_register(test, "dmapool-kunit");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dev);
	ctx->dev->coherent_dma_mask = DMA_BIT_MASK(64);
	ctx->dev->dma_mask = &ctx->dev->coherent_dma_mask;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_named_resource(test, NULL, NULL,
							  &ctx->errors_res,
							  "dmapool_errors",
							  &ctx->errors));
	test->priv = ctx;
	return 0;
}

static struct device *dmapool_test_dev(struct kunit *test)
{
	return ((struct dmapool_test_ctx *)test->priv)->dev;
}

static int dmapool_test_errors(struct kunit *test)
{
	return ((struct dmapool_test_ctx *)test->priv)->errors;
}

static void dmapool_test_invalid_create(struct kunit *test)
{
	struct device *dev = dmapool_test_dev(test);

	KUNIT_EXPECT_NULL(test, dma_pool_create("t", NULL, 64, 8, 0));
	KUNIT_EXPECT_NULL(test, dma_pool_create("t", dev, 64, 3, 0));
	KUNIT_EXPECT_NULL(test, dma_pool_create("t", dev, 64, 48, 0));
	KUNIT_EXPECT_NULL(test, dma_pool_create("t", dev, 0, 8, 0));
	KUNIT_EXPECT_NULL(test, dma_pool_create("t", dev, (size_t)INT_MAX + 1,
						8, 0));
	KUNIT_EXPECT_NULL(test, dma_pool_create("t", dev, 64, 8, 32));
	KUNIT_EXPECT_NULL(test, dma_pool_create("t", dev, 64, 8, 96));
	/* Nothing of the refused pools may be left on the device. */
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_pools));
}

/* The device's "pools" file, as sysfs would show it. */
static void dmapool_pools_text(struct kunit *test, char *buf)
{
	memset(buf, 0, PAGE_SIZE);
	KUNIT_ASSERT_GT(test, pools_show(dmapool_test_dev(test), NULL, buf), 0);
}

static void dmapool_expect_pools_line(struct kunit *test,
				      struct dma_pool *pool, size_t active,
				      size_t blocks, size_t chunks)
{
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	char want[80];

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dmapool_pools_text(test, buf);
	snprintf(want, sizeof(want), "%-16s %4zu %4zu %4u %2zu\n", pool->name,
		 active, blocks, pool->block_size, chunks);
	KUNIT_EXPECT_TRUE(test, str_has_prefix(buf, "poolinfo - 0.1\n"));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(buf, want),
				  "pools file:\n%swant line: %s", buf, want);
}

struct dmapool_geometry {
	size_t size, align, boundary;
};

static const struct dmapool_geometry dmapool_geometries[] = {
	{ 1, 0, 0 }, { 8, 8, 0 }, { 16, 16, 0 }, { 24, 8, 0 },
	{ 64, 64, 0 }, { 68, 32, 4096 }, { 100, 4, 256 }, { 256, 256, 0 },
	{ 200, 64, 1024 }, { 1024, 1024, 0 }, { 1500, 32, 2048 },
	{ 4096, 4096, 0 }, { 5000, 8, 0 }, { 8192, 64, 8192 },
};

static void dmapool_geometry_desc(const struct dmapool_geometry *g,
				  char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size %zu align %zu boundary %zu",
		 g->size, g->align, g->boundary);
}

KUNIT_ARRAY_PARAM(dmapool_geometry, dmapool_geometries, dmapool_geometry_desc);

struct dmapool_test_block {
	void *vaddr;
	dma_addr_t dma;
};

static int dmapool_cmp_block(const void *a, const void *b)
{
	const struct dmapool_test_block *x = a, *y = b;

	return x->dma < y->dma ? -1 : x->dma > y->dma;
}

static void dmapool_check_block_place(struct kunit *test,
				      struct dma_pool *pool,
				      const struct dmapool_geometry *g,
				      struct dmapool_test_block *b)
{
	size_t align = g->align ? g->align : 1;
	struct dma_pool_chunk *chunk;

	spin_lock_irq(&pool->lock);
	chunk = dma_pool_find_chunk(pool, b->dma);
	spin_unlock_irq(&pool->lock);
	KUNIT_ASSERT_NOT_NULL(test, chunk);
	KUNIT_EXPECT_PTR_EQ(test, b->vaddr, chunk->vaddr + (b->dma - chunk->dma));
	KUNIT_EXPECT_LE(test, b->dma - chunk->dma + g->size,
			(dma_addr_t)pool->chunk_size);
	/*
	 * Alignments and boundaries are powers of two: masks, as a 64-bit
	 * dma_addr_t on a 32-bit machine has no division.
	 */
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(b->dma, align));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)b->vaddr, align));
	if (g->boundary)
		KUNIT_EXPECT_EQ(test, ALIGN_DOWN(b->dma, g->boundary),
				ALIGN_DOWN(b->dma + g->size - 1, g->boundary));
}

/* Enough blocks for three chunks: placement across and within chunks. */
static void dmapool_test_geometry(struct kunit *test)
{
	const struct dmapool_geometry *g = test->param_value;
	struct dmapool_test_block *blocks;
	struct dma_pool *pool;
	unsigned int n, i, per_chunk;

	pool = dma_pool_create("geometry", dmapool_test_dev(test), g->size, g->align,
			       g->boundary);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	per_chunk = pool->blocks_per_chunk;
	n = 3 * per_chunk;
	blocks = kunit_kcalloc(test, n, sizeof(*blocks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, blocks);

	for (i = 0; i < n; i++) {
		blocks[i].vaddr = dma_pool_alloc(pool, GFP_KERNEL,
						 &blocks[i].dma);
		KUNIT_ASSERT_NOT_NULL(test, blocks[i].vaddr);
		dmapool_check_block_place(test, pool, g, &blocks[i]);
		/* The first chunk is fresh: its blocks come in address order. */
		if (i && i < per_chunk && pool->nr_chunks == 1)
			KUNIT_EXPECT_GT(test, blocks[i].dma, blocks[i - 1].dma);
	}
	sort(blocks, n, sizeof(*blocks), dmapool_cmp_block, NULL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_GE(test, blocks[i].dma,
				blocks[i - 1].dma + pool->block_size);
	dmapool_expect_pools_line(test, pool, n, pool->nr_blocks, pool->nr_chunks);
	for (i = 0; i < n; i++)
		dma_pool_free(pool, blocks[i].vaddr, blocks[i].dma);
	dmapool_expect_pools_line(test, pool, 0, pool->nr_blocks, pool->nr_chunks);
	dma_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 0);
}

/* Counters and the pools file after each step, with the stashes in play. */
static void dmapool_test_counters(struct kunit *test)
{
	struct dmapool_test_block b[3];
	struct dma_pool *pool;
	size_t per_page;
	int i;

	pool = dma_pool_create("counters", dmapool_test_dev(test), 512, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	per_page = PAGE_SIZE / 512;
	dmapool_expect_pools_line(test, pool, 0, 0, 0);
	for (i = 0; i < 3; i++) {
		b[i].vaddr = dma_pool_alloc(pool, GFP_KERNEL, &b[i].dma);
		KUNIT_ASSERT_NOT_NULL(test, b[i].vaddr);
		dmapool_expect_pools_line(test, pool, i + 1, per_page, 1);
	}
	for (i = 2; i >= 0; i--) {
		dma_pool_free(pool, b[i].vaddr, b[i].dma);
		dmapool_expect_pools_line(test, pool, i, per_page, 1);
	}
	dma_pool_destroy(pool);
}

static void dmapool_test_reuse_and_zero(struct kunit *test)
{
	struct dma_pool *pool;
	dma_addr_t dma, dma2;
	u8 *p, *q;
	int i;

	pool = dma_pool_create("reuse", dmapool_test_dev(test), 96, 32, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	/* Stay on one CPU: the block just freed waits in this CPU's stash. */
	migrate_disable();
	p = dma_pool_alloc(pool, GFP_KERNEL, &dma);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0xa5, 96);
	dma_pool_free(pool, p, dma);
	q = dma_pool_zalloc(pool, GFP_KERNEL, &dma2);
	migrate_enable();
	KUNIT_ASSERT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, dma2, dma);
	for (i = 0; i < 96; i++)
		KUNIT_EXPECT_EQ(test, q[i], 0);
	dma_pool_free(pool, q, dma2);
	dma_pool_destroy(pool);
}

/* GFP_ATOMIC from atomic context, a new chunk included, never sleeps. */
static void dmapool_test_atomic(struct kunit *test)
{
	struct dmapool_test_block b[40];
	struct dma_pool *pool;
	unsigned long irqflags;
	int i;

	pool = dma_pool_create("atomic", dmapool_test_dev(test), 1024, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	local_irq_save(irqflags);
	for (i = 0; i < ARRAY_SIZE(b); i++)
		b[i].vaddr = dma_pool_alloc(pool, GFP_ATOMIC, &b[i].dma);
	for (i = 0; i < ARRAY_SIZE(b); i++)
		if (b[i].vaddr)
			dma_pool_free(pool, b[i].vaddr, b[i].dma);
	local_irq_restore(irqflags);
	for (i = 0; i < ARRAY_SIZE(b); i++)
		KUNIT_EXPECT_NOT_NULL(test, b[i].vaddr);
	dma_pool_destroy(pool);
}

/* The stash bound: however many blocks one CPU frees, it keeps few. */
static void dmapool_test_stash_bound(struct kunit *test)
{
	struct dmapool_test_block *b;
	struct dma_pool *pool;
	int i, n = 1000;

	pool = dma_pool_create("bound", dmapool_test_dev(test), 32, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < n; i++) {
		b[i].vaddr = dma_pool_alloc(pool, GFP_KERNEL, &b[i].dma);
		KUNIT_ASSERT_NOT_NULL(test, b[i].vaddr);
	}
	for (i = 0; i < n; i++)
		dma_pool_free(pool, b[i].vaddr, b[i].dma);
	KUNIT_EXPECT_LE(test, dma_pool_stashed(pool),
			(size_t)2 * pool->batch * num_possible_cpus());
	/* No chunk beyond what the blocks in use needed plus the stashes. */
	KUNIT_EXPECT_LE(test, pool->nr_chunks,
			DIV_ROUND_UP(n + 2 * pool->batch * num_possible_cpus(),
				     PAGE_SIZE / 32));
	dma_pool_destroy(pool);
}

/* Blocks that went through the depot are reused before any new chunk. */
static void dmapool_test_depot_reuse(struct kunit *test)
{
	struct dmapool_test_block *b;
	struct dma_pool *pool;
	size_t chunks;
	int i, n;

	pool = dma_pool_create("depot", dmapool_test_dev(test), 64, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	n = 4 * pool->stash_max;
	b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	/* One CPU throughout: the blocks in its stash must be reachable. */
	migrate_disable();
	for (i = 0; i < n; i++)
		b[i].vaddr = dma_pool_alloc(pool, GFP_KERNEL, &b[i].dma);
	for (i = 0; i < n; i++)
		if (b[i].vaddr)
			dma_pool_free(pool, b[i].vaddr, b[i].dma);
	chunks = pool->nr_chunks;
	KUNIT_EXPECT_GE(test, pool->nr_depot, (size_t)n - pool->stash_max);
	for (i = 0; i < n; i++)
		b[i].vaddr = dma_pool_alloc(pool, GFP_KERNEL, &b[i].dma);
	migrate_enable();
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_NOT_NULL(test, b[i].vaddr);
	KUNIT_EXPECT_EQ(test, pool->nr_chunks, chunks);
	sort(b, n, sizeof(*b), dmapool_cmp_block, NULL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_NE(test, b[i].dma, b[i - 1].dma);
	dmapool_expect_pools_line(test, pool, n, pool->nr_blocks, chunks);
	for (i = 0; i < n; i++)
		dma_pool_free(pool, b[i].vaddr, b[i].dma);
	dmapool_expect_pools_line(test, pool, 0, pool->nr_blocks, chunks);
	dma_pool_destroy(pool);
}

static void dmapool_test_pools_attribute(struct kunit *test)
{
	struct device *dev = dmapool_test_dev(test);
	struct dma_pool *a, *b;
	struct kernfs_node *kn;

	a = dma_pool_create("first", dev, 64, 8, 0);
	b = dma_pool_create("second", dev, 128, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	kn = sysfs_get_dirent(dev->kobj.sd, "pools");
	KUNIT_EXPECT_NOT_NULL(test, kn);
	sysfs_put(kn);
	dmapool_expect_pools_line(test, a, 0, 0, 0);
	dmapool_expect_pools_line(test, b, 0, 0, 0);
	dma_pool_destroy(a);
	kn = sysfs_get_dirent(dev->kobj.sd, "pools");
	KUNIT_EXPECT_NOT_NULL(test, kn);
	sysfs_put(kn);
	dma_pool_destroy(b);
	KUNIT_EXPECT_NULL(test, sysfs_get_dirent(dev->kobj.sd, "pools"));
}

/* A pool destroyed with a block in use says so and keeps its memory. */
static void dmapool_test_destroy_busy(struct kunit *test)
{
	struct dma_pool *pool;
	struct dma_pool_chunk *chunk;
	struct dmapool_test_block b, mem;
	size_t chunk_size;

	pool = dma_pool_create("busy", dmapool_test_dev(test), 64, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	b.vaddr = dma_pool_alloc(pool, GFP_KERNEL, &b.dma);
	KUNIT_ASSERT_NOT_NULL(test, b.vaddr);
	chunk = list_first_entry(&pool->chunks, struct dma_pool_chunk, node);
	mem.vaddr = chunk->vaddr;
	mem.dma = chunk->dma;
	chunk_size = pool->chunk_size;

	dma_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 1);
	/* The block is still ours to write: the chunk was not given back. */
	memset(b.vaddr, 0x5a, 64);
	dma_free_coherent(dmapool_test_dev(test), chunk_size, mem.vaddr, mem.dma);
}

static void dmapool_test_managed(struct kunit *test)
{
	struct device *dev = kunit_device_register(test, "dmapool-managed");
	struct dma_pool *pool;
	dma_addr_t dma;
	void *p;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	dev->coherent_dma_mask = DMA_BIT_MASK(64);
	dev->dma_mask = &dev->coherent_dma_mask;
	pool = dmam_pool_create("managed", dev, 64, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	p = dma_pool_alloc(pool, GFP_KERNEL, &dma);
	KUNIT_ASSERT_NOT_NULL(test, p);
	dma_pool_free(pool, p, dma);
	KUNIT_EXPECT_FALSE(test, list_empty(&dev->dma_pools));
	dmam_pool_destroy(pool);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_pools));

	pool = dmam_pool_create("managed", dev, 64, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	/* Unregistering the device releases its devres: the pool goes too. */
	get_device(dev);
	kunit_device_unregister(test, dev);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_pools));
	put_device(dev);
}

/* Debug mode: corruption, double free and foreign frees are reported. */
static void dmapool_test_checks(struct kunit *test)
{
	struct dma_pool *pool;
	struct dmapool_test_block a, b;
	size_t blocks;
	u8 *raw;

	pool = dma_pool_create("checks", dmapool_test_dev(test), 64, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	dma_pool_set_checks(pool, true);
	a.vaddr = dma_pool_alloc(pool, GFP_KERNEL, &a.dma);
	b.vaddr = dma_pool_alloc(pool, GFP_KERNEL, &b.dma);
	KUNIT_ASSERT_NOT_NULL(test, a.vaddr);
	KUNIT_ASSERT_NOT_NULL(test, b.vaddr);
	raw = a.vaddr;
	if (!want_init_on_alloc(GFP_KERNEL))
		KUNIT_EXPECT_EQ(test, raw[63], POOL_POISON_ALLOCATED);
	blocks = pool->nr_blocks;

	dma_pool_free(pool, a.vaddr, a.dma);
	KUNIT_EXPECT_EQ(test, raw[63], POOL_POISON_FREED);
	dma_pool_free(pool, a.vaddr, a.dma);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 1);
	dma_pool_free(pool, b.vaddr + 4, b.dma + 4);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 2);
	dma_pool_free(pool, b.vaddr, b.dma + 8 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 3);
	dmapool_expect_pools_line(test, pool, 1, blocks, 1);

	/* A write after free shows when the block is handed out again. */
	raw[40] = 0;
	a.vaddr = dma_pool_alloc(pool, GFP_KERNEL, &a.dma);
	KUNIT_EXPECT_PTR_EQ(test, a.vaddr, (void *)raw);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 4);

	dma_pool_free(pool, a.vaddr, a.dma);
	dma_pool_free(pool, b.vaddr, b.dma);
	dmapool_expect_pools_line(test, pool, 0, blocks, 1);
	dma_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 4);
}

/* Overwrite freed blocks: @pattern in every byte, or pointers into others. */
static void dmapool_scribble(struct dmapool_test_block *b, unsigned int n,
			     size_t size, bool pointers)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		void **word = b[i].vaddr;

		if (!pointers) {
			memset(b[i].vaddr, 0xa5, size);
			continue;
		}
		for (j = 0; j < size / sizeof(*word); j++)
			word[j] = b[(i + j + 1) % n].vaddr + j % 4 * 8;
	}
}

struct dmapool_on_cpu {
	struct dma_pool *pool;
	struct dmapool_test_block *b;
	unsigned int n;
	int failed;
};

static long dmapool_alloc_on_cpu(void *arg)
{
	struct dmapool_on_cpu *w = arg;
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		w->b[i].vaddr = dma_pool_alloc(w->pool, GFP_KERNEL, &w->b[i].dma);
		w->failed += !w->b[i].vaddr;
	}
	return 0;
}

static long dmapool_free_on_cpu(void *arg)
{
	struct dmapool_on_cpu *w = arg;
	unsigned int i;

	for (i = 0; i < w->n; i++)
		dma_pool_free(w->pool, w->b[i].vaddr, w->b[i].dma);
	return 0;
}

/* Allocate or free @n blocks: all here, or the second half on @other_cpu. */
static void dmapool_split(struct kunit *test, struct dma_pool *pool,
			  struct dmapool_test_block *b, unsigned int n,
			  int other_cpu, bool alloc)
{
	long (*fn)(void *) = alloc ? dmapool_alloc_on_cpu : dmapool_free_on_cpu;
	unsigned int here = other_cpu < 0 ? n : n / 2;
	struct dmapool_on_cpu mine = { .pool = pool, .b = b, .n = here };
	struct dmapool_on_cpu theirs = {
		.pool = pool, .b = b + here, .n = n - here,
	};

	fn(&mine);
	if (theirs.n)
		KUNIT_ASSERT_EQ(test, work_on_cpu(other_cpu, fn, &theirs), 0);
	KUNIT_ASSERT_EQ(test, mine.failed + theirs.failed, 0);
}

struct dmapool_scribble_case {
	size_t size, align, boundary;
	bool two_cpus;
};

static const struct dmapool_scribble_case dmapool_scribble_cases[] = {
	{ 64, 64, 0, false }, { 100, 4, 256, false }, { 4096, 4096, 0, false },
	{ 64, 64, 0, true }, { 100, 4, 256, true },
};

static void dmapool_scribble_desc(const struct dmapool_scribble_case *c,
				  char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "size %zu boundary %zu, %s",
		 c->size, c->boundary, c->two_cpus ? "two CPUs" : "one CPU");
}

KUNIT_ARRAY_PARAM(dmapool_scribble, dmapool_scribble_cases,
		  dmapool_scribble_desc);

/*
 * Outside debug mode nothing of the allocator's is in a free block: every
 * block of the pool, freed and overwritten, comes back valid and distinct.
 */
static void dmapool_test_free_blocks_untouched(struct kunit *test)
{
	const struct dmapool_scribble_case *c = test->param_value;
	const struct dmapool_geometry g = { c->size, c->align, c->boundary };
	struct dmapool_test_block *b;
	int other_cpu = -1;
	struct dma_pool *pool;
	unsigned int i, n;
	size_t chunks;

	if (c->two_cpus && num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	pool = dma_pool_create("scribble", dmapool_test_dev(test), c->size,
			       c->align, c->boundary);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	dma_pool_set_checks(pool, false);
	n = max(3 * pool->blocks_per_chunk, 4 * pool->stash_max);
	n = roundup(n, pool->blocks_per_chunk);
	b = kunit_kcalloc(test, n, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);

	/* Stay here: "here" must be one CPU for the whole test. */
	migrate_disable();
	if (c->two_cpus)
		other_cpu = cpumask_any_but(cpu_online_mask,
					    smp_processor_id());
	dmapool_split(test, pool, b, n, -1, true);
	chunks = pool->nr_chunks;
	KUNIT_EXPECT_EQ(test, pool->nr_uncut, 0);
	dmapool_split(test, pool, b, n, other_cpu, false);
	dmapool_scribble(b, n, c->size, false);
	dmapool_scribble(b, n, c->size, true);
	dmapool_split(test, pool, b, n, other_cpu, true);
	migrate_enable();

	for (i = 0; i < n; i++)
		dmapool_check_block_place(test, pool, &g, &b[i]);
	sort(b, n, sizeof(*b), dmapool_cmp_block, NULL);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_GE(test, b[i].dma, b[i - 1].dma + pool->block_size);
	/* On one CPU every freed block is reachable: no chunk was added. */
	if (!c->two_cpus)
		KUNIT_EXPECT_EQ(test, pool->nr_chunks, chunks);
	dmapool_split(test, pool, b, n, -1, false);
	dma_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 0);
}

/*
 * Without debug checks a block freed twice is not caught on the spot, but
 * the depot never takes more blocks than were cut: the excess is reported
 * and dropped instead of written past the depot.
 */
static void dmapool_test_double_free_bounded(struct kunit *test)
{
	struct dmapool_test_block b;
	struct dma_pool *pool;
	unsigned int i;

	pool = dma_pool_create("twice", dmapool_test_dev(test), 64, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	dma_pool_set_checks(pool, false);
	migrate_disable();
	b.vaddr = dma_pool_alloc(pool, GFP_KERNEL, &b.dma);
	for (i = 0; b.vaddr && i < 4 * pool->stash_max; i++)
		dma_pool_free(pool, b.vaddr, b.dma);
	migrate_enable();
	KUNIT_ASSERT_NOT_NULL(test, b.vaddr);
	KUNIT_EXPECT_GE(test, dmapool_test_errors(test), 1);
	KUNIT_EXPECT_LE(test, pool->nr_depot,
			pool->nr_blocks - pool->nr_uncut);
	dma_pool_destroy(pool);
}

/* Debug mode: the same overwrites are reported when the blocks come back. */
static void dmapool_test_scribble_reported(struct kunit *test)
{
	struct dmapool_test_block b[8];
	struct dma_pool *pool;
	unsigned int i;

	pool = dma_pool_create("poison", dmapool_test_dev(test), 64, 8, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	dma_pool_set_checks(pool, true);
	dmapool_split(test, pool, b, ARRAY_SIZE(b), -1, true);
	dmapool_split(test, pool, b, ARRAY_SIZE(b), -1, false);
	dmapool_scribble(b, ARRAY_SIZE(b), 64, false);
	dmapool_scribble(b, ARRAY_SIZE(b), 64, true);
	dmapool_split(test, pool, b, ARRAY_SIZE(b), -1, true);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), ARRAY_SIZE(b));
	for (i = 0; i < ARRAY_SIZE(b) && !want_init_on_alloc(GFP_KERNEL); i++)
		KUNIT_EXPECT_EQ(test, *(u8 *)b[i].vaddr, POOL_POISON_ALLOCATED);
	dmapool_split(test, pool, b, ARRAY_SIZE(b), -1, false);
	dma_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), ARRAY_SIZE(b));
}

/* The pool's own records on the node asked for; a bad node is refused. */
static void dmapool_test_create_node(struct kunit *test)
{
	struct device *dev = dmapool_test_dev(test);
	struct dma_pool_chunk *chunk;
	struct dmapool_test_block b;
	struct dma_pool *pool;
	int node;

	for_each_node_state(node, N_MEMORY) {
		pool = dma_pool_create_node("node", dev, 64, 8, 0, node);
		KUNIT_ASSERT_NOT_NULL(test, pool);
		b.vaddr = dma_pool_alloc(pool, GFP_KERNEL, &b.dma);
		KUNIT_ASSERT_NOT_NULL(test, b.vaddr);
		chunk = list_first_entry(&pool->chunks, struct dma_pool_chunk,
					 node);
		KUNIT_EXPECT_EQ(test, pool->node, node);
		KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(pool)), node);
		KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(chunk)), node);
		dma_pool_free(pool, b.vaddr, b.dma);
		dma_pool_destroy(pool);
	}
	pool = dma_pool_create_node("node", dev, 64, 8, 0, NUMA_NO_NODE);
	KUNIT_EXPECT_NOT_NULL(test, pool);
	dma_pool_destroy(pool);
	pool = dma_pool_create_node("node", dev, 64, 8, 0, MAX_NUMNODES);
	KUNIT_EXPECT_NULL(test, pool);
	pool = dma_pool_create_node("node", dev, 64, 8, 0, -2);
	KUNIT_EXPECT_NULL(test, pool);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_pools));
}

#define DMAPOOL_STRESS_BLOCKS	200
#define DMAPOOL_STRESS_ROUNDS	200
#define DMAPOOL_CHURN_SECONDS	10

struct dmapool_stress {
	struct dma_pool *pool;
	unsigned long deadline;		/* jiffies; 0: DMAPOOL_STRESS_ROUNDS */
	struct completion done;
	unsigned int id;
	int bad;
	int failed_allocs;
};

static int dmapool_stress_fn(void *arg)
{
	struct dmapool_stress *s = arg;
	struct dmapool_test_block *b;
	int round, i;

	b = kcalloc(DMAPOOL_STRESS_BLOCKS, sizeof(*b), GFP_KERNEL);
	if (!b) {
		s->failed_allocs++;
		goto out;
	}
	for (round = 0; s->deadline ? time_before(jiffies, s->deadline) :
			round < DMAPOOL_STRESS_ROUNDS; round++) {
		int n = 1 + (round * 37 + s->id * 11) % DMAPOOL_STRESS_BLOCKS;

		for (i = 0; i < n; i++) {
			b[i].vaddr = dma_pool_alloc(s->pool, GFP_KERNEL, &b[i].dma);
			if (!b[i].vaddr) {
				s->failed_allocs++;
				n = i;
				break;
			}
			*(u32 *)(b[i].vaddr + 16) = s->id << 16 | i;
		}
		for (i = 0; i < n; i++) {
			if (*(u32 *)(b[i].vaddr + 16) != (s->id << 16 | i))
				s->bad++;
			dma_pool_free(s->pool, b[i].vaddr, b[i].dma);
		}
		cond_resched();
	}
	kfree(b);
out:
	complete(&s->done);
	return 0;
}

/* Start a stress thread on each of the first two CPUs, on @pool. */
static void dmapool_stress_start(struct kunit *test, struct dmapool_stress *s,
				 struct dma_pool *pool, unsigned long deadline)
{
	struct task_struct *t[2];
	int i;

	for (i = 0; i < 2; i++) {
		s[i] = (struct dmapool_stress){
			.pool = pool, .id = i + 1, .deadline = deadline,
		};
		init_completion(&s[i].done);
		t[i] = kthread_create(dmapool_stress_fn, &s[i], "dmapool-%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
		kthread_bind(t[i], cpumask_nth(i, cpu_online_mask));
	}
	for (i = 0; i < 2; i++)
		wake_up_process(t[i]);
}

/* Wait for both stress threads: no foreign stamp, no failed allocation. */
static void dmapool_stress_finish(struct kunit *test, struct dmapool_stress *s)
{
	int i;

	for (i = 0; i < 2; i++) {
		wait_for_completion(&s[i].done);
		KUNIT_EXPECT_EQ(test, s[i].bad, 0);
		KUNIT_EXPECT_EQ(test, s[i].failed_allocs, 0);
	}
}

static void dmapool_test_two_cpus(struct kunit *test)
{
	struct dmapool_stress s[2];
	struct dma_pool *pool;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	pool = dma_pool_create("stress", dmapool_test_dev(test), 48, 16, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	dmapool_stress_start(test, s, pool, 0);
	dmapool_stress_finish(test, s);
	dmapool_expect_pools_line(test, pool, 0, pool->nr_blocks, pool->nr_chunks);
	dma_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 0);
}

struct dmapool_churn {
	struct device *dev;
	struct completion done;
	bool stop;
	unsigned int cycles;
	int failed;
};

/* Create, use and destroy pools on the device until told to stop. */
static int dmapool_churn_fn(void *arg)
{
	struct dmapool_churn *c = arg;
	struct dma_pool *pool;
	dma_addr_t dma;
	void *vaddr;

	while (!READ_ONCE(c->stop)) {
		pool = dma_pool_create("churn", c->dev, 32 << (c->cycles % 6),
				       8, 0);
		if (!pool) {
			c->failed++;
			break;
		}
		vaddr = dma_pool_alloc(pool, GFP_KERNEL, &dma);
		if (vaddr)
			dma_pool_free(pool, vaddr, dma);
		else
			c->failed++;
		dma_pool_destroy(pool);
		c->cycles++;
		cond_resched();
	}
	complete(&c->done);
	return 0;
}

/*
 * For DMAPOOL_CHURN_SECONDS, two CPUs allocate and free from one pool while
 * a third thread creates and destroys other pools on the same device: the
 * device's pool list and its "pools" file are shared by all of them.
 */
static void dmapool_test_churn(struct kunit *test)
{
	struct dmapool_churn churn = { .dev = dmapool_test_dev(test) };
	struct dmapool_stress s[2];
	struct task_struct *churner;
	struct dma_pool *pool;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	pool = dma_pool_create("shared", dmapool_test_dev(test), 48, 16, 0);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	init_completion(&churn.done);
	dmapool_stress_start(test, s, pool,
			     jiffies + DMAPOOL_CHURN_SECONDS * HZ);
	/* no assertion from here: the stress threads use @s on this stack */
	churner = kthread_run(dmapool_churn_fn, &churn, "dmapool-churn");
	if (IS_ERR(churner)) {
		KUNIT_FAIL(test, "no churn thread");
		complete(&churn.done);
	}
	dmapool_stress_finish(test, s);
	WRITE_ONCE(churn.stop, true);
	wait_for_completion(&churn.done);
	KUNIT_EXPECT_EQ(test, churn.failed, 0);
	KUNIT_EXPECT_GT(test, churn.cycles, 0u);
	kunit_info(test, "%u pools created and destroyed meanwhile\n",
		   churn.cycles);
	dmapool_expect_pools_line(test, pool, 0, pool->nr_blocks, pool->nr_chunks);
	dma_pool_destroy(pool);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 0);
}

static struct kunit_case dmapool_test_cases[] = {
	KUNIT_CASE(dmapool_test_invalid_create),
	KUNIT_CASE_PARAM(dmapool_test_geometry, dmapool_geometry_gen_params),
	KUNIT_CASE(dmapool_test_counters),
	KUNIT_CASE(dmapool_test_reuse_and_zero),
	KUNIT_CASE(dmapool_test_atomic),
	KUNIT_CASE(dmapool_test_stash_bound),
	KUNIT_CASE(dmapool_test_depot_reuse),
	KUNIT_CASE(dmapool_test_pools_attribute),
	KUNIT_CASE(dmapool_test_destroy_busy),
	KUNIT_CASE(dmapool_test_managed),
	KUNIT_CASE(dmapool_test_checks),
	KUNIT_CASE_PARAM(dmapool_test_free_blocks_untouched,
			 dmapool_scribble_gen_params),
	KUNIT_CASE(dmapool_test_scribble_reported),
	KUNIT_CASE(dmapool_test_double_free_bounded),
	KUNIT_CASE(dmapool_test_create_node),
	KUNIT_CASE_SLOW(dmapool_test_two_cpus),
	KUNIT_CASE_SLOW(dmapool_test_churn),
	{}
};

static struct kunit_suite dmapool_test_suite = {
	.name = "dmapool",
	.init = dmapool_test_init,
	.test_cases = dmapool_test_cases,
};

#ifdef CONFIG_FAILSLAB
/* Fail the @nth fault-injection point current meets, as fail-nth does. */
static void dmapool_arm_fault(unsigned int nth)
{
	current->fail_nth = nth;
}

/* Disarm; returns whether the armed fault was injected. */
static bool dmapool_fault_hit(void)
{
	unsigned int left = current->fail_nth;

	current->fail_nth = 0;
	return !left;
}

/*
 * failslab leaves GFP_KERNEL allocations alone unless its ignore-gfp-wait
 * is N, which only a user can set (in debugfs).
 */
static bool dmapool_faults_reach_gfp_kernel(void)
{
	void *p;

	dmapool_arm_fault(1);
	p = kmalloc(8, GFP_KERNEL);
	dmapool_fault_hit();
	kfree(p);
	return !p;
}

/* dma_pool_create() with its 1st, 2nd, ... allocation failing. */
static struct dma_pool *
dmapool_create_under_faults(struct kunit *test, unsigned int *faults)
{
	struct dma_pool *pool;
	unsigned int nth;
	bool hit;

	for (nth = 1; nth < 1000; nth++) {
		dmapool_arm_fault(nth);
		pool = dma_pool_create("faults", dmapool_test_dev(test), 256, 64, 4096);
		hit = dmapool_fault_hit();
		*faults += hit;
		KUNIT_ASSERT_TRUE_MSG(test, pool || hit, "failed without a fault");
		if (!hit)
			return pool;
		dma_pool_destroy(pool);
	}
	KUNIT_FAIL_AND_ABORT(test, "still failing after 999 faults");
	return NULL;
}

/*
 * dma_pool_create() (when failslab reaches GFP_KERNEL allocations) and
 * the first dma_pool_alloc() of a pool (GFP_KERNEL then, GFP_NOWAIT
 * otherwise) with their 1st, 2nd, ... allocation failing until they
 * succeed without a fault. A failure must come from a fault and leave a
 * pool whose counters show nothing; the closing kmemleak scan sees leaks.
 * At boot failslab ignores GFP_KERNEL; selftests/dmapool/faults.sh sets
 * its ignore-gfp-wait to N and runs this suite again.
 */
static void dmapool_test_faults(struct kunit *test)
{
	bool kernel_faults = dmapool_faults_reach_gfp_kernel();
	gfp_t gfp = kernel_faults ? GFP_KERNEL : GFP_NOWAIT;
	unsigned int nth, faults = 0;
	struct dma_pool *pool;
	dma_addr_t dma;
	void *vaddr;
	bool hit;

	if (kernel_faults)
		pool = dmapool_create_under_faults(test, &faults);
	else
		pool = dma_pool_create("faults", dmapool_test_dev(test), 256, 64, 4096);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	for (nth = 1; nth < 1000; nth++) {
		dmapool_arm_fault(nth);
		vaddr = dma_pool_alloc(pool, gfp, &dma);
		hit = dmapool_fault_hit();
		faults += hit;
		if (vaddr)
			dma_pool_free(pool, vaddr, dma);
		else
			dmapool_expect_pools_line(test, pool, 0,
						  pool->nr_blocks,
						  pool->nr_chunks);
		if (!hit)
			break;
	}
	dma_pool_destroy(pool);
	KUNIT_EXPECT_TRUE_MSG(test, vaddr, "failed without a fault");
	KUNIT_EXPECT_GT(test, faults, 0u);
	KUNIT_EXPECT_EQ(test, dmapool_test_errors(test), 0);
	kunit_info(test, "%u faults injected, %s\n", faults, kernel_faults ?
		   "dma_pool_create and GFP_KERNEL" : "GFP_NOWAIT only");
}

static struct kunit_case dmapool_fault_cases[] = {
	KUNIT_CASE(dmapool_test_faults),
	{}
};

/* Its own suite, so that a user can run it again from debugfs. */
static struct kunit_suite dmapool_fault_suite = {
	.name = "dmapool_faults",
	.init = dmapool_test_init,
	.test_cases = dmapool_fault_cases,
};

kunit_test_suites(&dmapool_test_suite, &dmapool_fault_suite);
#else
kunit_test_suite(dmapool_test_suite);
#endif
