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
 * lists. (Where coherent memory is uncached, this also keeps the fast
 * paths out of uncached memory.)
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
 *    memory;
 *  - in a per-CPU stash of up to 2 * pool->batch slots, which
 *    dma_pool_alloc() pops and dma_pool_free() pushes with only a local
 *    lock (no atomic instruction; interrupts off on this CPU, or a per-CPU
 *    lock on PREEMPT_RT). An empty
 *    stash takes a batch from the depot, or cuts one; a full stash gives
 *    its newest batch to the depot. pool->lock is taken at most once per
 *    batch. When a CPU goes offline, its stashes go back to the depots.
 *
 * The "pools" file counts as in use every block that was cut and is in no
 * depot and no stash.
 *
 * Debug mode (CONFIG_SLUB_DEBUG_ON, or per pool from the KUnit suite)
 * leaves the stashes empty so that every free block is in the depot:
 * freed blocks are poisoned, a block whose poison changed is reported when
 * it is handed out again, and a free of a block that is already free or
 * that no chunk of the pool contains is reported and otherwise ignored.
 *
 * Locking, outermost first:
 *
 *  cpu_hotplug_lock  held by the CPU hotplug callback, which takes
 *                    dmapool_all_mutex inside it.
 *  dmapool_all_mutex the list of every pool, for that callback; taken
 *                    alone by dma_pool_create() and dma_pool_destroy().
 *  dmapool_mutex     changes to every device's dma_pools list, and the
 *                    creation and removal of the device's "pools"
 *                    attribute with its first and last pool. Readers of the
 *                    list (pools_show()) use RCU instead: the removal of
 *                    the attribute waits for them, so they must not wait
 *                    for the mutex. A pool is freed a grace period after it
 *                    left the list.
 *  stash->lock       local_lock_t of one CPU's stash, taken by that CPU
 *                    only, so that alloc and free work from any context.
 *                    The stash of a CPU that is offline, or of a pool
 *                    being destroyed, has no user: it is emptied under
 *                    pool->lock alone.
 *  pool->lock        irq-safe spinlock: the depot, the chunk list, the
 *                    carving cursor and the counters.
 */

#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
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
 * A batch moves at most this many bytes of blocks, and at most
 * DMAPOOL_BATCH_MAX blocks, between a stash and the depot.
 */
#define DMAPOOL_BATCH_BYTES	SZ_256K
#define DMAPOOL_BATCH_MAX	64U
#define DMAPOOL_SEGMENT_SLOTS	64U

struct dma_pool_slot {
	void *vaddr;
	dma_addr_t dma;
};

struct dma_pool_stash {
	local_lock_t lock;
	unsigned int nr;
	struct dma_pool_slot slots[];
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

	struct dma_pool_stash __percpu *stash;
	unsigned int batch;
	unsigned int stash_max;		/* 2 * batch */
	unsigned int block_size;
	unsigned int chunk_size;
	unsigned int boundary;
	unsigned int blocks_per_chunk;
	bool checks;			/* debug mode, see the top */
	bool prep_alloc;		/* checks or init_on_alloc */
	bool prep_free;			/* checks or init_on_free */
	int node;

	struct list_head all_node;	/* on dmapool_all */
	struct device *dev;
	struct list_head dev_node;
	struct rcu_head rcu;
	char name[32];
};

/* What the refill path needs before it can hand out a block. */
enum dma_pool_need {
	DMA_POOL_NEED_NOTHING,
	DMA_POOL_NEED_CHUNK,
	DMA_POOL_NEED_ROOM,
};

/* Memory the refill path allocated with no lock held, to install. */
struct dma_pool_growth {
	struct dma_pool_chunk *chunk;
	struct dma_pool_slot *segment;
	struct dma_pool_slot **depot;
	unsigned int max_segments;
};

static DEFINE_MUTEX(dmapool_mutex);
/* Every pool, for the CPU hotplug callback. */
static LIST_HEAD(dmapool_all);
static DEFINE_MUTEX(dmapool_all_mutex);

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

static size_t dma_pool_stashed(struct dma_pool *pool)
{
	size_t stashed = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		stashed += READ_ONCE(per_cpu_ptr(pool->stash, cpu)->nr);
	return stashed;
}

/* Blocks cut and not in the depot: in use, or waiting in a stash. */
static size_t dma_pool_held_or_stashed(struct dma_pool *pool)
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
		/*
		 * Blocks move between stashes and depot under pool->lock,
		 * so only an alloc or free in flight can skew the count.
		 */
		active = dma_pool_held_or_stashed(pool);
		active -= min(active, dma_pool_stashed(pool));
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
 * Work out block size, chunk size, boundary and batch; false for a
 * combination that dma_pool_create() refuses.
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
	pool->batch = clamp_t(unsigned int, DMAPOOL_BATCH_BYTES / size, 1,
			      DMAPOOL_BATCH_MAX);
	pool->stash_max = 2 * pool->batch;
	return true;
}

/*
 * init_on_alloc and init_on_free are fixed at boot: fold them with the
 * debug mode into one flag per direction that the fast paths test. Only
 * for a pool that has no chunk yet, so that no stash holds blocks that the
 * debug checks would not see.
 */
static void dma_pool_set_checks(struct dma_pool *pool, bool checks)
{
	WARN_ON_ONCE(pool->nr_chunks);
	pool->checks = checks;
	pool->prep_alloc = checks || want_init_on_alloc(0);
	pool->prep_free = checks || want_init_on_free();
}

static struct dma_pool_stash __percpu *dma_pool_alloc_stashes(size_t slots)
{
	struct dma_pool_stash __percpu *stash;
	int cpu;

	stash = __alloc_percpu(struct_size_t(struct dma_pool_stash, slots,
					     slots),
			       __alignof__(struct dma_pool_stash));
	if (!stash)
		return NULL;
	/* __alloc_percpu() zeroed the rest: every stash is empty. */
	for_each_possible_cpu(cpu)
		local_lock_init(&per_cpu_ptr(stash, cpu)->lock);
	return stash;
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

/* Let the CPU hotplug callback see the pool. */
static void dma_pool_watch_cpus(struct dma_pool *pool)
{
	mutex_lock(&dmapool_all_mutex);
	list_add(&pool->all_node, &dmapool_all);
	mutex_unlock(&dmapool_all_mutex);
}

static void dma_pool_unwatch_cpus(struct dma_pool *pool)
{
	mutex_lock(&dmapool_all_mutex);
	list_del(&pool->all_node);
	mutex_unlock(&dmapool_all_mutex);
}

static bool dma_pool_node_ok(int node)
{
	return node == NUMA_NO_NODE ||
	       (node >= 0 && node < MAX_NUMNODES && node_possible(node));
}

/**
 * dma_pool_create_node - create a pool of coherent DMA memory blocks
 * @name: name of the pool, shown in the device's "pools" file
 * @dev: device that will do the DMA
 * @size: size of the blocks; rounded up to @align
 * @align: alignment of the blocks, a power of two (0 means 1)
 * @boundary: if not 0, a power of two that no block crosses
 * @node: NUMA node for the pool's own records, or %NUMA_NO_NODE
 *
 * Blocks come from dma_pool_alloc() and share the coherent DMA mapping of
 * the chunk they are cut from, so neither driver nor device needs cache
 * maintenance. The device's "pools" attribute lists the pool until
 * dma_pool_destroy(). The DMA memory itself comes from dma_alloc_coherent()
 * and so from the device's node.
 *
 * Context: process context, may sleep.
 * Return: the new pool, or %NULL if @dev is %NULL, the geometry or @node is
 * invalid, or memory runs out.
 */
struct dma_pool *dma_pool_create_node(const char *name, struct device *dev,
				      size_t size, size_t align,
				      size_t boundary, int node)
{
	struct dma_pool *pool;

	if (!dev || !dma_pool_node_ok(node))
		return NULL;
	pool = kzalloc_node(sizeof(*pool), GFP_KERNEL, node);
	if (!pool)
		return NULL;
	if (!dma_pool_set_geometry(pool, size, align, boundary))
		goto free_pool;
	pool->stash = dma_pool_alloc_stashes(pool->stash_max);
	if (!pool->stash)
		goto free_pool;
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->chunks);
	INIT_LIST_HEAD(&pool->dev_node);
	dma_pool_set_checks(pool, IS_ENABLED(CONFIG_SLUB_DEBUG_ON));
	pool->node = node;
	pool->dev = dev;
	strscpy(pool->name, name, sizeof(pool->name));

	dma_pool_watch_cpus(pool);
	if (dma_pool_attach(pool))
		goto unwatch_cpus;
	return pool;

unwatch_cpus:
	dma_pool_unwatch_cpus(pool);
	free_percpu(pool->stash);
free_pool:
	kfree(pool);
	return NULL;
}
EXPORT_SYMBOL(dma_pool_create_node);

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

	chunk = kmalloc_node(sizeof(*chunk), gfp & ~GFP_ZONEMASK, pool->node);
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
		growth->segment = kmalloc_array_node(DMAPOOL_SEGMENT_SLOTS,
						     sizeof(*growth->segment),
						     gfp & ~GFP_ZONEMASK,
						     pool->node);
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
	growth->depot = kmalloc_array_node(growth->max_segments,
					   sizeof(*growth->depot),
					   gfp & ~GFP_ZONEMASK, pool->node);
	return growth->depot;
}

/* Free a segment we did not install and a replaced segment table. */
static void dma_pool_discard_growth(struct dma_pool_growth *growth)
{
	kfree(growth->segment);
	kfree(growth->depot);
}

/* The top slot of this CPU's stash, taken off it; the stash is not empty. */
static __always_inline struct dma_pool_slot *
dma_pool_stash_pop(struct dma_pool_stash *stash)
{
	unsigned int nr = stash->nr - 1;

	WRITE_ONCE(stash->nr, nr);
	return &stash->slots[nr];
}

/* Put a block on top of this CPU's stash; the stash is not full. */
static __always_inline void dma_pool_stash_put(struct dma_pool_stash *stash,
					       void *vaddr, dma_addr_t dma)
{
	unsigned int nr = stash->nr;
	struct dma_pool_slot *slot = &stash->slots[nr];

	WRITE_ONCE(stash->nr, nr + 1);
	slot->vaddr = vaddr;
	slot->dma = dma;
}

/*
 * Get one block into @slot: from this CPU's stash if it is no longer
 * empty (we may have moved to another CPU), else with a batch from the
 * depot or the chunks. Installs @growth first.
 */
static enum dma_pool_need dma_pool_try_refill(struct dma_pool *pool,
					      struct dma_pool_growth *growth,
					      struct dma_pool_slot *slot)
{
	struct dma_pool_stash *stash;
	enum dma_pool_need need = DMA_POOL_NEED_NOTHING;
	unsigned long irqflags;
	unsigned int n;

	local_lock_irqsave(&pool->stash->lock, irqflags);
	stash = this_cpu_ptr(pool->stash);
	spin_lock(&pool->lock);
	dma_pool_install(pool, growth);
	if (stash->nr) {
		*slot = *dma_pool_stash_pop(stash);
		n = 1;
	} else if (pool->checks) {
		n = dma_pool_gather_free(pool, slot, 1);
	} else {
		n = dma_pool_gather_free(pool, stash->slots, pool->batch);
		if (n) {
			*slot = stash->slots[n - 1];
			WRITE_ONCE(stash->nr, n - 1);
		}
	}
	if (!n)
		need = pool->nr_uncut ? DMA_POOL_NEED_ROOM : DMA_POOL_NEED_CHUNK;
	spin_unlock(&pool->lock);
	local_unlock_irqrestore(&pool->stash->lock, irqflags);
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

static noinline void *dma_pool_alloc_slow(struct dma_pool *pool, gfp_t gfp,
					  dma_addr_t *handle)
{
	struct dma_pool_slot slot;

	if (!dma_pool_alloc_refill(pool, gfp & ~__GFP_ZERO, &slot))
		return NULL;
	*handle = slot.dma;
	if (pool->prep_alloc || (gfp & __GFP_ZERO))
		return dma_pool_prepare(pool, slot.vaddr, slot.dma, gfp);
	return slot.vaddr;
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
	struct dma_pool_stash *stash;
	struct dma_pool_slot *slot;
	unsigned long irqflags;
	void *vaddr;

	might_alloc(mem_flags);

	/* The fast path makes no call, so it saves no registers. */
	local_lock_irqsave(&pool->stash->lock, irqflags);
	stash = this_cpu_ptr(pool->stash);
	if (unlikely(!stash->nr)) {
		local_unlock_irqrestore(&pool->stash->lock, irqflags);
		return dma_pool_alloc_slow(pool, mem_flags, handle);
	}
	slot = dma_pool_stash_pop(stash);
	vaddr = slot->vaddr;
	*handle = slot->dma;
	local_unlock_irqrestore(&pool->stash->lock, irqflags);
	if (unlikely(pool->prep_alloc || (mem_flags & __GFP_ZERO)))
		return dma_pool_prepare(pool, vaddr, *handle, mem_flags);
	return vaddr;
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

/*
 * The stash is full: its newest batch goes to the depot. The newest, as
 * the other batch is already in place at the bottom of the array and the
 * allocator never touches the blocks themselves.
 */
static void dma_pool_spill(struct dma_pool *pool, struct dma_pool_stash *stash)
{
	unsigned int keep = stash->nr - pool->batch;

	lockdep_assert_held(this_cpu_ptr(&pool->stash->lock));
	spin_lock(&pool->lock);
	dma_pool_depot_put(pool, &stash->slots[keep], pool->batch);
	/* With pool->lock, so that pools_show() counts the batch once. */
	WRITE_ONCE(stash->nr, keep);
	spin_unlock(&pool->lock);
}

/* Push a block on this CPU's stash, making room first if it is full. */
static void dma_pool_free_to_stash(struct dma_pool *pool, void *vaddr,
				   dma_addr_t dma)
{
	struct dma_pool_stash *stash;
	unsigned long irqflags;

	local_lock_irqsave(&pool->stash->lock, irqflags);
	stash = this_cpu_ptr(pool->stash);
	if (stash->nr == pool->stash_max)
		dma_pool_spill(pool, stash);
	dma_pool_stash_put(stash, vaddr, dma);
	local_unlock_irqrestore(&pool->stash->lock, irqflags);
}

/* Debug checks, init_on_free, or a full stash. */
static noinline void dma_pool_free_slow(struct dma_pool *pool, void *vaddr,
					dma_addr_t dma)
{
	if (pool->checks) {
		dma_pool_free_checked(pool, vaddr, dma);
		return;
	}
	if (pool->prep_free)
		memset(vaddr, 0, pool->block_size);
	dma_pool_free_to_stash(pool, vaddr, dma);
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
	struct dma_pool_stash *stash;
	unsigned long irqflags;

	if (unlikely(pool->prep_free))
		goto slow;
	/* As in dma_pool_alloc(), the fast path makes no call. */
	local_lock_irqsave(&pool->stash->lock, irqflags);
	stash = this_cpu_ptr(pool->stash);
	if (unlikely(stash->nr == pool->stash_max)) {
		local_unlock_irqrestore(&pool->stash->lock, irqflags);
		goto slow;
	}
	dma_pool_stash_put(stash, vaddr, dma);
	local_unlock_irqrestore(&pool->stash->lock, irqflags);
	return;
slow:
	dma_pool_free_slow(pool, vaddr, dma);
}
EXPORT_SYMBOL(dma_pool_free);

/* Give a stash whose CPU cannot use it to the depot. */
static void dma_pool_empty_stash(struct dma_pool *pool, unsigned int cpu)
{
	struct dma_pool_stash *stash = per_cpu_ptr(pool->stash, cpu);

	lockdep_assert_held(&pool->lock);
	dma_pool_depot_put(pool, stash->slots, stash->nr);
	WRITE_ONCE(stash->nr, 0);
}

static int dma_pool_cpu_dead(unsigned int cpu)
{
	struct dma_pool *pool;
	unsigned long irqflags;

	mutex_lock(&dmapool_all_mutex);
	list_for_each_entry(pool, &dmapool_all, all_node) {
		spin_lock_irqsave(&pool->lock, irqflags);
		dma_pool_empty_stash(pool, cpu);
		spin_unlock_irqrestore(&pool->lock, irqflags);
	}
	mutex_unlock(&dmapool_all_mutex);
	return 0;
}

static int __init dma_pool_init(void)
{
	int state;

	state = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					  "mm/dmapool:dead", NULL,
					  dma_pool_cpu_dead);
	return state < 0 ? state : 0;
}
core_initcall(dma_pool_init);

static void dma_pool_free_rcu(struct rcu_head *head)
{
	struct dma_pool *pool = container_of(head, struct dma_pool, rcu);

	free_percpu(pool->stash);
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
	int cpu;

	if (unlikely(!pool))
		return;

	dma_pool_unwatch_cpus(pool);
	dma_pool_detach(pool);
	spin_lock_irq(&pool->lock);
	for_each_possible_cpu(cpu)
		dma_pool_empty_stash(pool, cpu);
	in_use = dma_pool_held_or_stashed(pool);
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
