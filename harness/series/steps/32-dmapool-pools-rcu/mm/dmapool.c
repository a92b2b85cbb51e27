// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA pools: many small blocks of coherent DMA memory, all of one size.
 *
 * A pool takes chunks of at least a page from dma_alloc_coherent() and
 * cuts each chunk into blocks of the pool's size, leaving out the space
 * that would make a block straddle the pool's boundary. Every chunk has the
 * same layout, so a pool knows how many blocks a chunk gives.
 *
 * The allocator keeps its records out of the blocks. A free block is known
 * by a slot, its address and DMA address, in memory the pool took from the
 * slab; outside debug mode the allocator never reads or writes a free
 * block. A device that writes to a block after the driver freed it, or a
 * driver's use after free, can spoil that block's data but not the pool's
 * lists. (Where coherent memory is uncached, this also keeps the
 * allocator out of uncached memory.)
 *
 * Where a free block waits:
 *
 *  - not yet cut: a new chunk is cut lazily, in ascending address order
 *    (some hardware relies on that order within a fresh chunk), from the
 *    carving cursor;
 *  - in the depot: a stack of slots under pool->lock, kept in segments of
 *    DMAPOOL_SEGMENT_SLOTS so that growing it never copies slots (only a
 *    table of segments, 8 bytes per segment, is reallocated). It always
 *    has room for every block ever cut, so giving blocks back never needs
 *    memory. dma_pool_free() pushes on it; dma_pool_alloc() pops from it,
 *    or cuts a block when it is empty.
 *
 * The "pools" file counts as in use every block that was cut and is not in
 * the depot.
 *
 * Debug mode (CONFIG_SLUB_DEBUG_ON, or per pool from the KUnit suite):
 * freed blocks are poisoned, a block whose poison changed is reported when
 * it is handed out again, and a free of a block that is already free or
 * that no chunk of the pool contains is reported and otherwise ignored.
 *
 * Locking, outermost first:
 *
 *  dmapool_mutex     changes to every device's dma_pools list, and the
 *                    creation and removal of the device's "pools"
 *                    attribute with its first and last pool. Readers of the
 *                    list (pools_show()) use RCU instead: the removal of
 *                    the attribute waits for them, so they must not wait
 *                    for the mutex. A pool is freed a grace period after it
 *                    left the list.
 *  pool->lock        irq-safe spinlock: the depot, the chunk list, the
 *                    carving cursor and the counters.
 */

#include <linux/gfp.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poison.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <kunit/resource.h>
#include <kunit/test-bug.h>

#define DMAPOOL_SEGMENT_SLOTS	64U

struct dma_pool_slot {
	void *vaddr;
	dma_addr_t dma;
};

/* One chunk from dma_alloc_coherent(); the record lives in the slab. */
struct dma_pool_chunk {
	struct list_head node;
	void *vaddr;
	dma_addr_t dma;
};

struct dma_pool {
	spinlock_t lock;		/* see "Locking" at the top */
	struct dma_pool_slot **depot;	/* segments of the depot's stack */
	size_t nr_depot;		/* free slots on the stack */
	unsigned int nr_segments;
	unsigned int max_segments;
	struct list_head chunks;	/* in the order they came */
	struct dma_pool_chunk *carving;	/* first chunk not cut to the end */
	unsigned int carve_offset;
	size_t nr_uncut;
	size_t nr_blocks;
	size_t nr_chunks;

	unsigned int block_size;
	unsigned int chunk_size;
	unsigned int boundary;
	unsigned int blocks_per_chunk;
	bool checks;			/* debug mode, see the top */
	bool prep_alloc;		/* checks or init_on_alloc */
	bool prep_free;			/* checks or init_on_free */

	struct device *dev;
	struct list_head dev_node;
	struct rcu_head rcu;
	char name[32];
};

/* What dma_pool_alloc() needs before it can hand out a block. */
enum dma_pool_need {
	DMA_POOL_NEED_NOTHING,
	DMA_POOL_NEED_CHUNK,
	DMA_POOL_NEED_ROOM,
};

/* Memory dma_pool_alloc() allocated with no lock held, to install. */
struct dma_pool_growth {
	struct dma_pool_chunk *chunk;
	struct dma_pool_slot *segment;
	struct dma_pool_slot **depot;
	unsigned int max_segments;
};

static DEFINE_MUTEX(dmapool_mutex);

#if IS_ENABLED(CONFIG_KUNIT)
/* Count a detection in the running test's "dmapool_errors", if it has one. */
static void dma_pool_tell_test(void)
{
	struct kunit *test = kunit_get_current_test();
	struct kunit_resource *res;

	if (!test)
		return;
	res = kunit_find_named_resource(test, "dmapool_errors");
	if (res) {
		(*(int *)res->data)++;
		kunit_put_resource(res);
	}
}
#else
static inline void dma_pool_tell_test(void) { }
#endif

/* Something is wrong with how the pool is used: say so. */
static __printf(2, 3) void dma_pool_report(struct dma_pool *pool,
					   const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	dev_err(pool->dev, "dma_pool %s: %pV\n", pool->name, &vaf);
	va_end(args);
	dma_pool_tell_test();
}

/* Blocks cut and not in the depot: in use. */
static size_t dma_pool_in_use(struct dma_pool *pool)
{
	lockdep_assert_held(&pool->lock);
	return pool->nr_blocks - pool->nr_uncut - pool->nr_depot;
}

static ssize_t pools_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	size_t active, blocks, chunks;
	struct dma_pool *pool;
	unsigned long irqflags;
	int len;

	len = sysfs_emit(buf, "poolinfo - 0.1\n");
	/*
	 * Only RCU here: dma_pool_detach() removes this file with
	 * dmapool_mutex held, and the removal waits for this reader.
	 */
	rcu_read_lock();
	list_for_each_entry_rcu(pool, &dev->dma_pools, dev_node) {
		spin_lock_irqsave(&pool->lock, irqflags);
		active = dma_pool_in_use(pool);
		blocks = pool->nr_blocks;
		chunks = pool->nr_chunks;
		spin_unlock_irqrestore(&pool->lock, irqflags);
		len += sysfs_emit_at(buf, len, "%-16s %4zu %4zu %4u %2zu\n",
				     pool->name, active, blocks, pool->block_size,
				     chunks);
	}
	rcu_read_unlock();
	return len;
}
static DEVICE_ATTR_RO(pools);

/*
 * Work out block size, chunk size and boundary; false for a combination
 * that dma_pool_create() refuses.
 */
static bool dma_pool_set_geometry(struct dma_pool *pool, size_t size,
				  size_t align, size_t boundary)
{
	size_t chunk;

	if (!align)
		align = 1;
	if (!is_power_of_2(align) || !size || size > INT_MAX)
		return false;
	size = ALIGN(size, align);
	if (size > INT_MAX)
		return false;
	chunk = max_t(size_t, size, PAGE_SIZE);
	if (boundary && (boundary < size || !is_power_of_2(boundary)))
		return false;
	if (!boundary || boundary > chunk)
		boundary = chunk;

	pool->block_size = size;
	pool->chunk_size = chunk;
	pool->boundary = boundary;
	pool->blocks_per_chunk = chunk / boundary * (boundary / size) +
				 chunk % boundary / size;
	return true;
}

/*
 * init_on_alloc and init_on_free are fixed at boot: fold them with the
 * debug mode into one flag per direction that alloc and free test. Only
 * for a pool that has no chunk yet, so that every free block the debug
 * checks see carries their poison.
 */
static void dma_pool_set_checks(struct dma_pool *pool, bool checks)
{
	WARN_ON_ONCE(pool->nr_chunks);
	pool->checks = checks;
	pool->prep_alloc = checks || want_init_on_alloc(0);
	pool->prep_free = checks || want_init_on_free();
}

/* Publish the pool on its device; the first pool brings the attribute. */
static int dma_pool_attach(struct dma_pool *pool)
{
	struct device *dev = pool->dev;
	int err = 0;

	mutex_lock(&dmapool_mutex);
	if (list_empty(&dev->dma_pools))
		err = device_create_file(dev, &dev_attr_pools);
	if (!err)
		list_add_rcu(&pool->dev_node, &dev->dma_pools);
	mutex_unlock(&dmapool_mutex);
	return err;
}

static void dma_pool_detach(struct dma_pool *pool)
{
	struct device *dev = pool->dev;

	mutex_lock(&dmapool_mutex);
	list_del_rcu(&pool->dev_node);
	if (list_empty(&dev->dma_pools))
		device_remove_file(dev, &dev_attr_pools);
	mutex_unlock(&dmapool_mutex);
}

/**
 * dma_pool_create - create a pool of coherent DMA memory blocks
 * @name: name of the pool, shown in the device's "pools" file
 * @dev: device that will do the DMA
 * @size: size of the blocks; rounded up to @align
 * @align: alignment of the blocks, a power of two (0 means 1)
 * @boundary: if not 0, a power of two that no block crosses
 *
 * Blocks come from dma_pool_alloc() and share the coherent DMA mapping of
 * the chunk they are cut from, so neither driver nor device needs cache
 * maintenance. The device's "pools" attribute lists the pool until
 * dma_pool_destroy().
 *
 * Context: process context, may sleep.
 * Return: the new pool, or %NULL if @dev is %NULL, the geometry is invalid
 * or memory runs out.
 */
struct dma_pool *dma_pool_create(const char *name, struct device *dev,
				 size_t size, size_t align, size_t boundary)
{
	struct dma_pool *pool;

	if (!dev)
		return NULL;
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	if (!dma_pool_set_geometry(pool, size, align, boundary))
		goto free_pool;
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->chunks);
	INIT_LIST_HEAD(&pool->dev_node);
	dma_pool_set_checks(pool, IS_ENABLED(CONFIG_SLUB_DEBUG_ON));
	pool->dev = dev;
	strscpy(pool->name, name, sizeof(pool->name));

	if (dma_pool_attach(pool))
		goto free_pool;
	return pool;

free_pool:
	kfree(pool);
	return NULL;
}
EXPORT_SYMBOL(dma_pool_create);

static struct dma_pool_slot *dma_pool_depot_slot(struct dma_pool *pool,
						 size_t index)
{
	return &pool->depot[index / DMAPOOL_SEGMENT_SLOTS]
			   [index % DMAPOOL_SEGMENT_SLOTS];
}

/* How many more blocks may be cut before the depot needs a segment. */
static size_t dma_pool_depot_room(struct dma_pool *pool)
{
	size_t cut = pool->nr_blocks - pool->nr_uncut;

	lockdep_assert_held(&pool->lock);
	return (size_t)pool->nr_segments * DMAPOOL_SEGMENT_SLOTS - cut;
}

/*
 * Push @n slots onto the depot, @slots[@n - 1] last, so on top. The depot
 * has room for every block cut; more can only come from a driver freeing
 * a block twice or a block of another pool: drop them rather than write
 * past the depot.
 */
static void dma_pool_depot_put(struct dma_pool *pool,
			       const struct dma_pool_slot *slots,
			       unsigned int n)
{
	lockdep_assert_held(&pool->lock);
	if (unlikely(pool->nr_depot + n > pool->nr_blocks - pool->nr_uncut)) {
		dma_pool_report(pool, "%u blocks more free than cut: freed twice?",
				(unsigned int)(pool->nr_depot + n -
					       (pool->nr_blocks - pool->nr_uncut)));
		return;
	}
	while (n) {
		unsigned int in_segment = pool->nr_depot % DMAPOOL_SEGMENT_SLOTS;
		unsigned int k = min(n, DMAPOOL_SEGMENT_SLOTS - in_segment);

		memcpy(dma_pool_depot_slot(pool, pool->nr_depot), slots,
		       k * sizeof(*slots));
		pool->nr_depot += k;
		slots += k;
		n -= k;
	}
}

/* Take the top @n slots of the depot, in their order: the top one last. */
static void dma_pool_depot_take(struct dma_pool *pool,
				struct dma_pool_slot *slots, unsigned int n)
{
	size_t index;

	lockdep_assert_held(&pool->lock);
	pool->nr_depot -= n;
	index = pool->nr_depot;
	while (n) {
		unsigned int in_segment = index % DMAPOOL_SEGMENT_SLOTS;
		unsigned int k = min(n, DMAPOOL_SEGMENT_SLOTS - in_segment);

		memcpy(slots, dma_pool_depot_slot(pool, index),
		       k * sizeof(*slots));
		index += k;
		slots += k;
		n -= k;
	}
}

/*
 * Cut @n more blocks from the chunks, in ascending address order, into
 * @slots from the end: the last slot, popped first, gets the lowest address.
 */
static void dma_pool_cut(struct dma_pool *pool, struct dma_pool_slot *slots,
			 unsigned int n)
{
	unsigned int size = pool->block_size, boundary = pool->boundary;

	lockdep_assert_held(&pool->lock);
	pool->nr_uncut -= n;
	while (n) {
		struct dma_pool_chunk *chunk = pool->carving;
		unsigned int offset = pool->carve_offset;

		if (offset + size > pool->chunk_size) {
			pool->carving = list_next_entry(chunk, node);
			pool->carve_offset = 0;
			continue;
		}
		if (offset % boundary + size > boundary) {
			pool->carve_offset = offset - offset % boundary + boundary;
			continue;
		}
		n--;
		slots[n].vaddr = chunk->vaddr + offset;
		slots[n].dma = chunk->dma + offset;
		pool->carve_offset = offset + size;
	}
}

/*
 * Put up to @want free blocks into @slots, from the depot or else cut from
 * the chunks as far as the depot has room for them. Returns how many.
 */
static unsigned int dma_pool_gather_free(struct dma_pool *pool,
					 struct dma_pool_slot *slots,
					 unsigned int want)
{
	unsigned int n;

	lockdep_assert_held(&pool->lock);
	n = min_t(size_t, want, pool->nr_depot);
	if (n) {
		dma_pool_depot_take(pool, slots, n);
		return n;
	}
	n = min_t(size_t, want, pool->nr_uncut);
	n = min_t(size_t, n, dma_pool_depot_room(pool));
	dma_pool_cut(pool, slots, n);
	return n;
}

/* Install what dma_pool_alloc_growth() got; leaves the rest in @growth. */
static void dma_pool_install(struct dma_pool *pool,
			     struct dma_pool_growth *growth)
{
	lockdep_assert_held(&pool->lock);
	if (growth->chunk) {
		list_add_tail(&growth->chunk->node, &pool->chunks);
		if (!pool->nr_uncut) {
			pool->carving = growth->chunk;
			pool->carve_offset = 0;
		}
		pool->nr_uncut += pool->blocks_per_chunk;
		pool->nr_blocks += pool->blocks_per_chunk;
		pool->nr_chunks++;
		growth->chunk = NULL;
	}
	if (growth->depot && growth->max_segments > pool->max_segments) {
		if (pool->nr_segments)
			memcpy(growth->depot, pool->depot,
			       pool->nr_segments * sizeof(*pool->depot));
		swap(growth->depot, pool->depot);
		swap(growth->max_segments, pool->max_segments);
	}
	if (growth->segment && pool->nr_segments < pool->max_segments) {
		pool->depot[pool->nr_segments++] = growth->segment;
		growth->segment = NULL;
	}
}

static struct dma_pool_chunk *dma_pool_new_chunk(struct dma_pool *pool,
						 gfp_t gfp)
{
	struct dma_pool_chunk *chunk;

	chunk = kmalloc(sizeof(*chunk), gfp & ~GFP_ZONEMASK);
	if (!chunk)
		return NULL;
	chunk->vaddr = dma_alloc_coherent(pool->dev, pool->chunk_size,
					  &chunk->dma, gfp);
	if (!chunk->vaddr) {
		kfree(chunk);
		return NULL;
	}
	if (pool->checks)
		memset(chunk->vaddr, POOL_POISON_FREED, pool->chunk_size);
	return chunk;
}

/* Allocate, with no lock held, what @need says; false if memory ran out. */
static bool dma_pool_alloc_growth(struct dma_pool *pool,
				  struct dma_pool_growth *growth,
				  enum dma_pool_need need, gfp_t gfp)
{
	unsigned int max_segments;

	if (need == DMA_POOL_NEED_CHUNK) {
		growth->chunk = dma_pool_new_chunk(pool, gfp);
		return growth->chunk;
	}
	if (!growth->segment) {
		growth->segment = kmalloc_array(DMAPOOL_SEGMENT_SLOTS,
						sizeof(*growth->segment),
						gfp & ~GFP_ZONEMASK);
		if (!growth->segment)
			return false;
	}
	/* A stale look is fine: dma_pool_install() checks again. */
	max_segments = READ_ONCE(pool->max_segments);
	if (READ_ONCE(pool->nr_segments) < max_segments ||
	    growth->max_segments > max_segments)
		return true;
	kfree(growth->depot);
	growth->max_segments = max(2 * max_segments, 4U);
	growth->depot = kmalloc_array(growth->max_segments,
				      sizeof(*growth->depot),
				      gfp & ~GFP_ZONEMASK);
	return growth->depot;
}

/* Free a segment we did not install and a replaced segment table. */
static void dma_pool_discard_growth(struct dma_pool_growth *growth)
{
	kfree(growth->segment);
	kfree(growth->depot);
}

/*
 * Get one block into @slot, from the depot or the chunks. Installs
 * @growth first.
 */
static enum dma_pool_need dma_pool_try_refill(struct dma_pool *pool,
					      struct dma_pool_growth *growth,
					      struct dma_pool_slot *slot)
{
	enum dma_pool_need need = DMA_POOL_NEED_NOTHING;
	unsigned long irqflags;

	spin_lock_irqsave(&pool->lock, irqflags);
	dma_pool_install(pool, growth);
	if (!dma_pool_gather_free(pool, slot, 1))
		need = pool->nr_uncut ? DMA_POOL_NEED_ROOM : DMA_POOL_NEED_CHUNK;
	spin_unlock_irqrestore(&pool->lock, irqflags);
	return need;
}

static bool dma_pool_alloc_refill(struct dma_pool *pool, gfp_t gfp,
				  struct dma_pool_slot *slot)
{
	struct dma_pool_growth growth = {};
	enum dma_pool_need need;

	while ((need = dma_pool_try_refill(pool, &growth, slot))) {
		if (!dma_pool_alloc_growth(pool, &growth, need, gfp))
			break;
	}
	/* A chunk is always installed; a segment or depot may be left. */
	dma_pool_discard_growth(&growth);
	return need == DMA_POOL_NEED_NOTHING;
}

static void dma_pool_check_poison(struct dma_pool *pool, u8 *block,
				  dma_addr_t dma)
{
	unsigned int i;

	for (i = 0; i < pool->block_size; i++) {
		if (block[i] != POOL_POISON_FREED) {
			dma_pool_report(pool, "free block %p (dma %pad) was written to",
					block, &dma);
			print_hex_dump(KERN_ERR, "", DUMP_PREFIX_OFFSET, 16, 1,
				       block, pool->block_size, true);
			return;
		}
	}
}

/* Debug checks and zeroing of a block about to be handed out. */
static noinline void *dma_pool_prepare(struct dma_pool *pool, void *block,
				       dma_addr_t dma, gfp_t gfp)
{
	if (pool->checks) {
		dma_pool_check_poison(pool, block, dma);
		if (!want_init_on_alloc(gfp))
			memset(block, POOL_POISON_ALLOCATED, pool->block_size);
	}
	if (want_init_on_alloc(gfp))
		memset(block, 0, pool->block_size);
	return block;
}

/**
 * dma_pool_alloc - get a block from a DMA pool
 * @pool: the pool
 * @mem_flags: GFP flags for a new chunk, if one is needed; with
 *	__GFP_ZERO (or init_on_alloc) the block is zeroed
 * @handle: where to store the block's DMA address
 *
 * Context: any context; sleeps only if @mem_flags allow it.
 * Return: the kernel virtual address of the block, with its DMA address in
 * *@handle, or %NULL if no memory is to be had.
 */
void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags,
		     dma_addr_t *handle)
{
	struct dma_pool_slot slot;

	might_alloc(mem_flags);

	if (!dma_pool_alloc_refill(pool, mem_flags & ~__GFP_ZERO, &slot))
		return NULL;
	*handle = slot.dma;
	if (unlikely(pool->prep_alloc || (mem_flags & __GFP_ZERO)))
		return dma_pool_prepare(pool, slot.vaddr, slot.dma, mem_flags);
	return slot.vaddr;
}
EXPORT_SYMBOL(dma_pool_alloc);

static struct dma_pool_chunk *dma_pool_find_chunk(struct dma_pool *pool,
						  dma_addr_t dma)
{
	struct dma_pool_chunk *chunk;

	lockdep_assert_held(&pool->lock);
	list_for_each_entry(chunk, &pool->chunks, node) {
		if (dma >= chunk->dma && dma - chunk->dma < pool->chunk_size)
			return chunk;
	}
	return NULL;
}

/* Does (@vaddr, @dma) name the start of a block of @chunk? */
static bool dma_pool_block_matches(struct dma_pool *pool,
				   struct dma_pool_chunk *chunk, void *vaddr,
				   dma_addr_t dma)
{
	size_t offset = dma - chunk->dma;
	size_t in_span = offset % pool->boundary;

	return vaddr == chunk->vaddr + offset && in_span % pool->block_size == 0 &&
	       in_span + pool->block_size <= pool->boundary;
}

/* Was the block at @offset of @chunk ever cut? */
static bool dma_pool_block_was_cut(struct dma_pool *pool,
				   struct dma_pool_chunk *chunk, size_t offset)
{
	struct dma_pool_chunk *pos;

	lockdep_assert_held(&pool->lock);
	if (!pool->nr_uncut)
		return true;
	if (chunk == pool->carving)
		return offset < pool->carve_offset;
	/* Chunks after the one being cut are whole. */
	pos = pool->carving;
	list_for_each_entry_continue(pos, &pool->chunks, node) {
		if (pos == chunk)
			return false;
	}
	return true;
}

static bool dma_pool_block_is_free(struct dma_pool *pool,
				   struct dma_pool_chunk *chunk, void *vaddr)
{
	size_t i;

	lockdep_assert_held(&pool->lock);
	if (!dma_pool_block_was_cut(pool, chunk, vaddr - chunk->vaddr))
		return true;
	for (i = 0; i < pool->nr_depot; i++) {
		if (dma_pool_depot_slot(pool, i)->vaddr == vaddr)
			return true;
	}
	return false;
}

/* Debug mode: every free is checked and goes straight to the depot. */
static noinline void dma_pool_free_checked(struct dma_pool *pool,
					   void *vaddr, dma_addr_t dma)
{
	struct dma_pool_slot slot = { .vaddr = vaddr, .dma = dma };
	struct dma_pool_chunk *chunk;
	unsigned long irqflags;

	spin_lock_irqsave(&pool->lock, irqflags);
	chunk = dma_pool_find_chunk(pool, dma);
	if (!chunk || !dma_pool_block_matches(pool, chunk, vaddr, dma)) {
		dma_pool_report(pool, "free of %p (dma %pad): not a block of this pool",
				vaddr, &dma);
		goto unlock;
	}
	if (dma_pool_block_is_free(pool, chunk, vaddr)) {
		dma_pool_report(pool, "free of %p (dma %pad): already free",
				vaddr, &dma);
		goto unlock;
	}
	memset(vaddr, POOL_POISON_FREED, pool->block_size);
	dma_pool_depot_put(pool, &slot, 1);
unlock:
	spin_unlock_irqrestore(&pool->lock, irqflags);
}

/**
 * dma_pool_free - give a block back to its DMA pool
 * @pool: the pool the block came from
 * @vaddr: the block's kernel virtual address
 * @dma: the block's DMA address
 *
 * Neither the device nor the driver may touch the block afterwards, until
 * dma_pool_alloc() hands it out again.
 *
 * Context: any context.
 */
void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma)
{
	struct dma_pool_slot slot = { .vaddr = vaddr, .dma = dma };
	unsigned long irqflags;

	if (unlikely(pool->checks)) {
		dma_pool_free_checked(pool, vaddr, dma);
		return;
	}
	if (unlikely(pool->prep_free))
		memset(vaddr, 0, pool->block_size);
	spin_lock_irqsave(&pool->lock, irqflags);
	dma_pool_depot_put(pool, &slot, 1);
	spin_unlock_irqrestore(&pool->lock, irqflags);
}
EXPORT_SYMBOL(dma_pool_free);

static void dma_pool_free_rcu(struct rcu_head *head)
{
	struct dma_pool *pool = container_of(head, struct dma_pool, rcu);

	kfree(pool);
}

static void dma_pool_free_depot(struct dma_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_segments; i++)
		kfree(pool->depot[i]);
	kfree(pool->depot);
}

/**
 * dma_pool_destroy - free a DMA pool and all its memory
 * @pool: the pool, or %NULL
 *
 * The caller guarantees that nothing uses the pool any more. If blocks are
 * still allocated, the pool reports it and leaves its DMA memory allocated,
 * as a device may still write to it.
 *
 * Context: process context, may sleep.
 */
void dma_pool_destroy(struct dma_pool *pool)
{
	struct dma_pool_chunk *chunk, *next;
	size_t in_use;

	if (unlikely(!pool))
		return;

	dma_pool_detach(pool);
	spin_lock_irq(&pool->lock);
	in_use = dma_pool_in_use(pool);
	spin_unlock_irq(&pool->lock);
	if (in_use)
		dma_pool_report(pool, "destroyed with %zu blocks in use, memory kept",
				in_use);

	list_for_each_entry_safe(chunk, next, &pool->chunks, node) {
		if (!in_use)
			dma_free_coherent(pool->dev, pool->chunk_size,
					  chunk->vaddr, chunk->dma);
		list_del(&chunk->node);
		kfree(chunk);
	}
	dma_pool_free_depot(pool);
	/* pools_show() may still be looking at the pool's counters. */
	call_rcu(&pool->rcu, dma_pool_free_rcu);
}
EXPORT_SYMBOL(dma_pool_destroy);

static void dmam_pool_release(struct device *dev, void *res)
{
	dma_pool_destroy(*(struct dma_pool **)res);
}

static int dmam_pool_match(struct device *dev, void *res, void *match_data)
{
	return *(struct dma_pool **)res == match_data;
}

/**
 * dmam_pool_create - dma_pool_create() bound to the driver's lifetime
 * @name: name of the pool, shown in the device's "pools" file
 * @dev: device that will do the DMA
 * @size: size of the blocks; rounded up to @align
 * @align: alignment of the blocks, a power of two (0 means 1)
 * @boundary: if not 0, a power of two that no block crosses
 *
 * The pool is destroyed when the driver detaches from @dev.
 *
 * Context: process context, may sleep.
 * Return: the new pool, or %NULL as for dma_pool_create().
 */
struct dma_pool *dmam_pool_create(const char *name, struct device *dev,
				  size_t size, size_t align, size_t boundary)
{
	struct dma_pool **res;

	res = devres_alloc(dmam_pool_release, sizeof(*res), GFP_KERNEL);
	if (!res)
		return NULL;
	*res = dma_pool_create(name, dev, size, align, boundary);
	if (!*res) {
		devres_free(res);
		return NULL;
	}
	devres_add(dev, res);
	return *res;
}
EXPORT_SYMBOL(dmam_pool_create);

/**
 * dmam_pool_destroy - destroy a pool made by dmam_pool_create() now
 * @pool: the pool
 *
 * Context: process context, may sleep.
 */
void dmam_pool_destroy(struct dma_pool *pool)
{
	WARN_ON(devres_release(pool->dev, dmam_pool_release, dmam_pool_match,
			       pool));
}
EXPORT_SYMBOL(dmam_pool_destroy);
