// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA pools: many small blocks of coherent DMA memory, all of one size.
 *
 * A pool asks dma_alloc_coherent() for chunks of at least a page (the
 * pool's "allocation") and cuts each chunk into blocks of the pool's size,
 * leaving out the space that would make a block straddle the pool's
 * boundary. While a block is free, its first bytes hold a struct dma_block:
 * the next free block and the block's own DMA address. Handing out and
 * taking back a block therefore needs no memory besides the block itself.
 *
 * Free blocks wait in one of two places:
 *
 *  - the pool's shared list (pool->next_block), under pool->lock;
 *  - a small per-CPU stash that dma_pool_alloc() and dma_pool_free() use
 *    with only a local lock (interrupts off on this CPU, no atomic
 *    instruction). A stash has a "hot" list of up to pool->batch blocks,
 *    which alloc pops and free pushes, and a "full" chain of exactly
 *    pool->batch blocks or none. When hot runs empty, full takes its place
 *    or a batch comes from the shared list; when hot is full, it becomes
 *    the full chain and the previous full chain goes to the shared list.
 *    Both chains know their last block, and a full chain given back stays
 *    a chain on the shared side (struct dma_chain) when blocks are big
 *    enough, so whole batches move without walking their blocks. The
 *    shared lock is taken at most once per batch, and a stash never keeps
 *    more than 2 * pool->batch blocks. The stash of a CPU that goes offline
 *    keeps its blocks (at most that bound) until the pool is destroyed.
 *
 * nr_blocks and nr_pages count what the pool owns; nr_out counts the blocks
 * off the shared list (in use, or waiting in a stash). The number in use,
 * reported in the "pools" file, is nr_out minus the stashed blocks.
 *
 * Debug mode (CONFIG_SLUB_DEBUG_ON, as in upstream; the KUnit suite can
 * turn it on per pool) keeps the stashes out of the way so that every free
 * block is on the shared list: freed blocks are poisoned, a block whose
 * poison changed is reported when it is handed out again, and a free of a
 * block that is already free or that no chunk of the pool contains is
 * reported and otherwise ignored.
 *
 * Locking:
 *
 *  dmapool_mutex  changes to every device's dma_pools list, and the
 *                 creation and removal of the device's "pools" attribute
 *                 with its first and last pool. Process context only.
 *                 Readers of the list (pools_show()) use RCU instead: the
 *                 removal of the attribute waits for them, so they must
 *                 not wait for the mutex. A pool is freed a grace period
 *                 after it left the list.
 *  stash->lock    local_lock_t of one CPU's stash. Taken only by that CPU,
 *                 with interrupts off, so alloc and free work from any
 *                 context. dma_pool_destroy() empties the stashes of all
 *                 CPUs without it: by then the pool has no users.
 *  pool->lock     spinlock, irq-safe: the shared list and chains, the
 *                 chunk list, nr_out, nr_blocks and nr_pages.
 *
 * Lock order: dmapool_mutex -> stash->lock -> pool->lock.
 */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/poison.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <kunit/resource.h>
#include <kunit/test-bug.h>

/*
 * Upper bound of the bytes one stash hands around in one batch: 64 blocks
 * up to 4 KiB, fewer beyond. A stash holds at most two batches, blocks of
 * pages the pool owns anyway; with 4 KiB blocks, batches of 16 left the
 * shared lock and refills at 0.65x of 6.12's cost per pair, 64 at 0.60x.
 */
#define DMAPOOL_BATCH_BYTES	SZ_256K
#define DMAPOOL_BATCH_MAX	64U

struct dma_block {
	struct dma_block *next_block;
	dma_addr_t dma;
};

/*
 * A whole batch on the shared side. When blocks are big enough to hold it
 * (pool->use_chains), a batch that a stash gives back keeps its shape: its
 * first block also records the next such batch and its own last block, so
 * that a refill takes it back without walking it.
 */
struct dma_chain {
	struct dma_block block;
	struct dma_block *next_chain;
	struct dma_block *tail;
};

struct dma_pool_stash {
	local_lock_t lock;
	struct dma_block *hot;
	struct dma_block *hot_tail;	/* valid while nr_hot != 0 */
	struct dma_block *full;
	struct dma_block *full_tail;	/* valid while nr_full != 0 */
	unsigned int nr_hot;
	unsigned int nr_full;
};

struct dma_pool {
	spinlock_t lock;		/* see "Locking" at the top */
	struct dma_block *next_block;
	struct dma_block *chains;	/* whole batches, see dma_chain */
	size_t nr_out;
	size_t nr_blocks;
	size_t nr_pages;
	struct list_head chunk_list;

	struct dma_pool_stash __percpu *stash;
	unsigned int batch;
	unsigned int block_size;
	unsigned int chunk_size;
	unsigned int boundary;
	bool checks;			/* debug mode, see the top */
	bool prep_alloc;		/* checks or init_on_alloc */
	bool prep_free;			/* checks or init_on_free */
	bool use_chains;

	struct device *dev;
	struct list_head dev_node;
	struct rcu_head rcu;
	char name[32];
};

/* Bookkeeping for one chunk from dma_alloc_coherent(); lives in the slab. */
struct dma_page {
	struct list_head node;
	void *vaddr;
	dma_addr_t dma;
};

static DEFINE_MUTEX(dmapool_mutex);

/*
 * Something is wrong with how the pool is used. Say so in the log and, when
 * a KUnit test is running, count it in the test's "dmapool_errors"
 * resource so that the test sees the detection without reading the log.
 */
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

#if IS_ENABLED(CONFIG_KUNIT)
	if (kunit_get_current_test()) {
		struct kunit_resource *res;

		res = kunit_find_named_resource(kunit_get_current_test(),
						"dmapool_errors");
		if (res) {
			(*(int *)res->data)++;
			kunit_put_resource(res);
		}
	}
#endif
}

static size_t dma_pool_stashed(struct dma_pool *pool)
{
	size_t stashed = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct dma_pool_stash *stash = per_cpu_ptr(pool->stash, cpu);

		stashed += READ_ONCE(stash->nr_hot) + READ_ONCE(stash->nr_full);
	}
	return stashed;
}

static ssize_t pools_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	size_t active, blocks, pages;
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
		active = pool->nr_out;
		blocks = pool->nr_blocks;
		pages = pool->nr_pages;
		spin_unlock_irqrestore(&pool->lock, irqflags);
		/* A block moving between stash and shared list is counted once. */
		active -= min(active, dma_pool_stashed(pool));
		len += sysfs_emit_at(buf, len, "%-16s %4zu %4zu %4u %2zu\n",
				     pool->name, active, blocks, pool->block_size,
				     pages);
	}
	rcu_read_unlock();
	return len;
}
static DEVICE_ATTR_RO(pools);

/*
 * Work out block size, chunk size and boundary as 6.12 does; false for a
 * combination that 6.12 refuses.
 */
static bool dma_pool_set_geometry(struct dma_pool *pool, size_t size,
				  size_t align, size_t boundary)
{
	size_t chunk;

	if (!align)
		align = 1;
	if (!is_power_of_2(align) || !size || size > INT_MAX)
		return false;
	size = ALIGN(max(size, sizeof(struct dma_block)), align);
	chunk = max_t(size_t, size, PAGE_SIZE);
	if (boundary && (boundary < size || !is_power_of_2(boundary)))
		return false;
	if (!boundary || boundary > chunk)
		boundary = chunk;

	pool->block_size = size;
	pool->chunk_size = chunk;
	pool->boundary = boundary;
	pool->batch = clamp_t(unsigned int, DMAPOOL_BATCH_BYTES / size, 1,
			      DMAPOOL_BATCH_MAX);
	return true;
}

/*
 * init_on_alloc and init_on_free are fixed at boot: fold them with the
 * debug mode into one flag per direction that the fast paths test. Only
 * for a pool that has no chunk yet, so that no stash or chain holds blocks
 * that the debug checks would not see.
 */
static void dma_pool_set_checks(struct dma_pool *pool, bool checks)
{
	WARN_ON_ONCE(pool->nr_pages);
	pool->checks = checks;
	pool->prep_alloc = checks || want_init_on_alloc(0);
	pool->prep_free = checks || want_init_on_free();
	/* Chain records would show in blocks that must look wiped or poisoned. */
	pool->use_chains = !pool->prep_free && pool->batch > 1 &&
			   pool->block_size >= sizeof(struct dma_chain);
}

static void dma_pool_init_stashes(struct dma_pool *pool)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct dma_pool_stash *stash = per_cpu_ptr(pool->stash, cpu);

		/* alloc_percpu() zeroed the rest: both chains are empty. */
		local_lock_init(&stash->lock);
	}
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

	pool->stash = alloc_percpu(struct dma_pool_stash);
	if (!pool->stash)
		goto free_pool;
	dma_pool_init_stashes(pool);
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->chunk_list);
	INIT_LIST_HEAD(&pool->dev_node);
	dma_pool_set_checks(pool, IS_ENABLED(CONFIG_SLUB_DEBUG_ON));
	pool->dev = dev;
	strscpy(pool->name, name, sizeof(pool->name));

	if (dma_pool_attach(pool))
		goto free_stash;
	return pool;

free_stash:
	free_percpu(pool->stash);
free_pool:
	kfree(pool);
	return NULL;
}
EXPORT_SYMBOL(dma_pool_create);

/*
 * Cut a new chunk into blocks, linked in ascending address order (some
 * hardware relies on that order within a fresh chunk), and put them in front
 * of the shared list. Called with pool->lock held.
 */
static void dma_pool_add_chunk(struct dma_pool *pool, struct dma_page *chunk)
{
	struct dma_block **link = &pool->next_block;
	struct dma_block *rest = pool->next_block;
	unsigned int offset = 0, limit = pool->boundary;

	while (offset + pool->block_size <= pool->chunk_size) {
		struct dma_block *block;

		if (offset + pool->block_size > limit) {
			/* The block would straddle: start at the boundary. */
			offset = limit;
			limit += pool->boundary;
			continue;
		}
		block = chunk->vaddr + offset;
		block->dma = chunk->dma + offset;
		*link = block;
		link = &block->next_block;
		offset += pool->block_size;
		pool->nr_blocks++;
	}
	*link = rest;
	list_add(&chunk->node, &pool->chunk_list);
	pool->nr_pages++;
}

static struct dma_page *dma_pool_new_chunk(struct dma_pool *pool, gfp_t gfp)
{
	struct dma_page *chunk;

	chunk = kmalloc(sizeof(*chunk), gfp);
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

/*
 * Take up to @want blocks off the front of the shared list as one chain.
 * Returns its first block, its last in *@tail and its length in *@taken.
 * pool->lock held.
 */
static struct dma_block *dma_pool_take_shared(struct dma_pool *pool,
					      unsigned int want,
					      struct dma_block **tail,
					      unsigned int *taken)
{
	struct dma_block *first = pool->chains, *last, *next;
	unsigned int n = 1;

	if (first && want == pool->batch) {
		struct dma_chain *chain = (struct dma_chain *)first;

		pool->chains = chain->next_chain;
		pool->nr_out += want;
		*tail = chain->tail;
		*taken = want;
		return first;
	}
	first = pool->next_block;
	last = first;
	if (!first)
		return NULL;
	while (n < want && (next = last->next_block)) {
		last = next;
		n++;
	}
	pool->next_block = last->next_block;
	last->next_block = NULL;
	pool->nr_out += n;
	*tail = last;
	*taken = n;
	return first;
}

/*
 * Give a chain of @n blocks, @first to @last, to the shared side: as a
 * whole batch if it is one and blocks can hold a dma_chain, else in front
 * of the shared list. pool->lock held.
 */
static void dma_pool_give_shared(struct dma_pool *pool, struct dma_block *first,
				 struct dma_block *last, unsigned int n)
{
	pool->nr_out -= n;
	if (pool->use_chains && n == pool->batch) {
		struct dma_chain *chain = (struct dma_chain *)first;

		last->next_block = NULL;
		chain->tail = last;
		chain->next_chain = pool->chains;
		pool->chains = first;
		return;
	}
	last->next_block = pool->next_block;
	pool->next_block = first;
}

/*
 * This CPU's hot list is empty: make the full chain hot, or else take a
 * batch from the shared list. stash->lock held.
 */
static void dma_pool_refill(struct dma_pool *pool, struct dma_pool_stash *stash)
{
	unsigned int want = pool->checks ? 1 : pool->batch;

	if (stash->nr_full) {
		stash->hot = stash->full;
		stash->hot_tail = stash->full_tail;
		stash->nr_hot = stash->nr_full;
		stash->full = NULL;
		stash->nr_full = 0;
		return;
	}
	spin_lock(&pool->lock);
	stash->hot = dma_pool_take_shared(pool, want, &stash->hot_tail,
					  &stash->nr_hot);
	spin_unlock(&pool->lock);
}

static struct dma_block *dma_pool_stash_pop(struct dma_pool_stash *stash)
{
	struct dma_block *block = stash->hot;

	if (block) {
		stash->hot = block->next_block;
		stash->nr_hot--;
	}
	return block;
}

/* The hot list was empty: refill it, from a new chunk if need be. */
static struct dma_block *dma_pool_alloc_refill(struct dma_pool *pool,
					       gfp_t gfp)
{
	struct dma_page *chunk = NULL;
	struct dma_pool_stash *stash;
	struct dma_block *block;
	unsigned long irqflags;

	for (;;) {
		local_lock_irqsave(&pool->stash->lock, irqflags);
		stash = this_cpu_ptr(pool->stash);
		if (chunk) {
			spin_lock(&pool->lock);
			dma_pool_add_chunk(pool, chunk);
			spin_unlock(&pool->lock);
		}
		/* We may run on another CPU than the one that found it empty. */
		block = dma_pool_stash_pop(stash);
		if (!block) {
			dma_pool_refill(pool, stash);
			block = dma_pool_stash_pop(stash);
		}
		local_unlock_irqrestore(&pool->stash->lock, irqflags);
		if (block)
			return block;
		/* Nothing free anywhere: get a chunk, with no lock held. */
		chunk = dma_pool_new_chunk(pool, gfp & ~__GFP_ZERO);
		if (!chunk)
			return NULL;
	}
}

static void dma_pool_check_poison(struct dma_pool *pool,
				  struct dma_block *block)
{
	u8 *data = (u8 *)block;
	unsigned int i;

	for (i = sizeof(*block); i < pool->block_size; i++) {
		if (data[i] != POOL_POISON_FREED) {
			dma_pool_report(pool, "free block %p (dma %pad) was written to",
					block, &block->dma);
			print_hex_dump(KERN_ERR, "", DUMP_PREFIX_OFFSET, 16, 1,
				       data, pool->block_size, true);
			return;
		}
	}
}

/* Debug checks and zeroing of a block about to be handed out. */
static noinline void *dma_pool_prepare(struct dma_pool *pool,
				       struct dma_block *block, gfp_t gfp)
{
	if (pool->checks) {
		dma_pool_check_poison(pool, block);
		if (!want_init_on_alloc(gfp))
			memset(block, POOL_POISON_ALLOCATED, pool->block_size);
	}
	if (want_init_on_alloc(gfp))
		memset(block, 0, pool->block_size);
	return block;
}

static noinline void *dma_pool_alloc_slow(struct dma_pool *pool, gfp_t gfp,
					  dma_addr_t *handle)
{
	struct dma_block *block = dma_pool_alloc_refill(pool, gfp);

	if (!block)
		return NULL;
	*handle = block->dma;
	if (pool->prep_alloc || (gfp & __GFP_ZERO))
		return dma_pool_prepare(pool, block, gfp);
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
	struct dma_block *block;
	unsigned long irqflags;

	might_alloc(mem_flags);

	/* The fast path makes no call, so it saves no registers. */
	local_lock_irqsave(&pool->stash->lock, irqflags);
	block = dma_pool_stash_pop(this_cpu_ptr(pool->stash));
	local_unlock_irqrestore(&pool->stash->lock, irqflags);
	if (unlikely(!block))
		return dma_pool_alloc_slow(pool, mem_flags, handle);

	*handle = block->dma;
	if (unlikely(pool->prep_alloc || (mem_flags & __GFP_ZERO)))
		return dma_pool_prepare(pool, block, mem_flags);
	return block;
}
EXPORT_SYMBOL(dma_pool_alloc);

static struct dma_page *dma_pool_find_chunk(struct dma_pool *pool,
					    dma_addr_t dma)
{
	struct dma_page *chunk;

	list_for_each_entry(chunk, &pool->chunk_list, node) {
		if (dma >= chunk->dma && dma - chunk->dma < pool->chunk_size)
			return chunk;
	}
	return NULL;
}

/* Does (@vaddr, @dma) name the start of a block of @chunk? */
static bool dma_pool_block_matches(struct dma_pool *pool,
				   struct dma_page *chunk, void *vaddr,
				   dma_addr_t dma)
{
	size_t offset = dma - chunk->dma;
	size_t in_span = offset % pool->boundary;

	return vaddr == chunk->vaddr + offset && in_span % pool->block_size == 0 &&
	       in_span + pool->block_size <= pool->boundary;
}

static bool dma_pool_block_is_free(struct dma_pool *pool, void *vaddr)
{
	struct dma_block *block;

	for (block = pool->next_block; block; block = block->next_block) {
		if (block == vaddr)
			return true;
	}
	return false;
}

/* Debug mode: every free is checked and goes straight to the shared list. */
static noinline void dma_pool_free_checked(struct dma_pool *pool,
					   void *vaddr, dma_addr_t dma)
{
	struct dma_block *block = vaddr;
	struct dma_page *chunk;
	unsigned long irqflags;

	spin_lock_irqsave(&pool->lock, irqflags);
	chunk = dma_pool_find_chunk(pool, dma);
	if (!chunk || !dma_pool_block_matches(pool, chunk, vaddr, dma)) {
		dma_pool_report(pool, "free of %p (dma %pad): not a block of this pool",
				vaddr, &dma);
		goto unlock;
	}
	if (dma_pool_block_is_free(pool, vaddr)) {
		dma_pool_report(pool, "free of %p (dma %pad): already free",
				vaddr, &dma);
		goto unlock;
	}
	memset(block, POOL_POISON_FREED, pool->block_size);
	block->dma = dma;
	block->next_block = pool->next_block;
	pool->next_block = block;
	pool->nr_out--;
unlock:
	spin_unlock_irqrestore(&pool->lock, irqflags);
}

/*
 * The hot list holds a whole batch: it becomes the full chain, and the
 * previous full chain, if any, goes back to the shared list.
 * stash->lock held.
 */
static void dma_pool_spill(struct dma_pool *pool,
			   struct dma_pool_stash *stash)
{
	if (stash->nr_full) {
		spin_lock(&pool->lock);
		dma_pool_give_shared(pool, stash->full, stash->full_tail,
				     stash->nr_full);
		spin_unlock(&pool->lock);
	}
	stash->full = stash->hot;
	stash->full_tail = stash->hot_tail;
	stash->nr_full = stash->nr_hot;
	stash->hot = NULL;
	stash->nr_hot = 0;
}

static void dma_pool_stash_push(struct dma_pool_stash *stash,
				struct dma_block *block)
{
	if (!stash->hot)
		stash->hot_tail = block;
	block->next_block = stash->hot;
	stash->hot = block;
	stash->nr_hot++;
}

/* Debug checks, init_on_free, or a hot list that holds a whole batch. */
static noinline void dma_pool_free_slow(struct dma_pool *pool,
					struct dma_block *block, dma_addr_t dma)
{
	struct dma_pool_stash *stash;
	unsigned long irqflags;

	if (pool->checks) {
		dma_pool_free_checked(pool, block, dma);
		return;
	}
	if (want_init_on_free())
		memset(block, 0, pool->block_size);
	block->dma = dma;

	local_lock_irqsave(&pool->stash->lock, irqflags);
	stash = this_cpu_ptr(pool->stash);
	if (stash->nr_hot == pool->batch)
		dma_pool_spill(pool, stash);
	dma_pool_stash_push(stash, block);
	local_unlock_irqrestore(&pool->stash->lock, irqflags);
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
	struct dma_block *block = vaddr;
	struct dma_pool_stash *stash;
	unsigned long irqflags;

	if (unlikely(pool->prep_free))
		return dma_pool_free_slow(pool, block, dma);
	block->dma = dma;

	/* As in dma_pool_alloc(), the fast path makes no call. */
	local_lock_irqsave(&pool->stash->lock, irqflags);
	stash = this_cpu_ptr(pool->stash);
	if (likely(stash->nr_hot != pool->batch)) {
		dma_pool_stash_push(stash, block);
		local_unlock_irqrestore(&pool->stash->lock, irqflags);
		return;
	}
	local_unlock_irqrestore(&pool->stash->lock, irqflags);
	dma_pool_free_slow(pool, block, dma);
}
EXPORT_SYMBOL(dma_pool_free);

/* Give every stashed block back; the stashes are freed right after. */
static void dma_pool_empty_stashes(struct dma_pool *pool)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct dma_pool_stash *stash = per_cpu_ptr(pool->stash, cpu);

		if (stash->nr_hot)
			dma_pool_give_shared(pool, stash->hot, stash->hot_tail,
					     stash->nr_hot);
		if (stash->nr_full)
			dma_pool_give_shared(pool, stash->full,
					     stash->full_tail, stash->nr_full);
	}
}

static void dma_pool_free_rcu(struct rcu_head *head)
{
	struct dma_pool *pool = container_of(head, struct dma_pool, rcu);

	free_percpu(pool->stash);
	kfree(pool);
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
	struct dma_page *chunk, *next;
	bool busy;

	if (unlikely(!pool))
		return;

	dma_pool_detach(pool);
	dma_pool_empty_stashes(pool);
	busy = pool->nr_out != 0;
	if (busy)
		dma_pool_report(pool, "destroyed with %zu blocks in use, memory kept",
				pool->nr_out);

	list_for_each_entry_safe(chunk, next, &pool->chunk_list, node) {
		if (!busy)
			dma_free_coherent(pool->dev, pool->chunk_size,
					  chunk->vaddr, chunk->dma);
		list_del(&chunk->node);
		kfree(chunk);
	}
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
 * @allocation: if not 0, a power of two that no block crosses
 *
 * The pool is destroyed when the driver detaches from @dev.
 *
 * Context: process context, may sleep.
 * Return: the new pool, or %NULL as for dma_pool_create().
 */
struct dma_pool *dmam_pool_create(const char *name, struct device *dev,
				  size_t size, size_t align, size_t allocation)
{
	struct dma_pool **res;

	res = devres_alloc(dmam_pool_release, sizeof(*res), GFP_KERNEL);
	if (!res)
		return NULL;
	*res = dma_pool_create(name, dev, size, align, allocation);
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

#ifdef CONFIG_DMAPOOL_KUNIT_TEST
#include "tests/dmapool_kunit.h"
#endif
