// SPDX-License-Identifier: GPL-2.0
/*
 * dmapool_selftest: drive DMA pools from user space for the kselftests in
 * tools/testing/selftests/dmapool/.
 *
 * The module registers one device, "dmapool-selftest", and takes commands
 * written to /sys/kernel/debug/dmapool_selftest/cmd, one per write:
 *
 *   cycle N        N times: create a pool on the device, allocate and free
 *                  one block, destroy it. With no other pool on the device,
 *                  its "pools" file comes and goes each time.
 *   stash CPU N    on CPU, allocate N blocks of the "kept" pool (created on
 *                  first use, 64-byte blocks) and free them again, so that
 *                  CPU's stash is left holding some of them.
 *   hold N         allocate N blocks of the "kept" pool and keep them.
 *   release        free the held blocks.
 *   destroy        release, then destroy the "kept" pool.
 *
 * A command that cannot be carried out fails the write with its error.
 * Uses only the public dma_pool API.
 */
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#define SELFTEST_MAX_BLOCKS	100000U

struct selftest_block {
	void *vaddr;
	dma_addr_t dma;
};

struct selftest_stash_work {
	struct dma_pool *pool;
	unsigned int count;
};

static struct device selftest_dev;
static u64 selftest_dma_mask = DMA_BIT_MASK(64);
static struct dentry *selftest_dir;

/* Serialises the commands and guards everything below. */
static DEFINE_MUTEX(selftest_lock);
static struct dma_pool *kept_pool;
static struct selftest_block *held;
static unsigned int nr_held;

static int selftest_alloc_blocks(struct dma_pool *pool,
				 struct selftest_block *blocks,
				 unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		blocks[i].vaddr = dma_pool_alloc(pool, GFP_KERNEL,
						 &blocks[i].dma);
		if (!blocks[i].vaddr)
			goto free_taken;
	}
	return 0;

free_taken:
	while (i--)
		dma_pool_free(pool, blocks[i].vaddr, blocks[i].dma);
	return -ENOMEM;
}

static void selftest_free_blocks(struct dma_pool *pool,
				 struct selftest_block *blocks,
				 unsigned int count)
{
	while (count--)
		dma_pool_free(pool, blocks[count].vaddr, blocks[count].dma);
}

static int selftest_cycle(unsigned int count)
{
	struct selftest_block block;
	struct dma_pool *pool;

	while (count--) {
		pool = dma_pool_create("cycle", &selftest_dev, 128, 64, 0);
		if (!pool)
			return -ENOMEM;
		if (selftest_alloc_blocks(pool, &block, 1)) {
			dma_pool_destroy(pool);
			return -ENOMEM;
		}
		selftest_free_blocks(pool, &block, 1);
		dma_pool_destroy(pool);
		cond_resched();
	}
	return 0;
}

static struct dma_pool *selftest_kept_pool(void)
{
	if (!kept_pool)
		kept_pool = dma_pool_create("kept", &selftest_dev, 64, 64, 0);
	return kept_pool;
}

static long selftest_stash_fn(void *arg)
{
	struct selftest_stash_work *work = arg;
	struct selftest_block *blocks;
	int err;

	blocks = kvcalloc(work->count, sizeof(*blocks), GFP_KERNEL);
	if (!blocks)
		return -ENOMEM;
	err = selftest_alloc_blocks(work->pool, blocks, work->count);
	if (!err)
		selftest_free_blocks(work->pool, blocks, work->count);
	kvfree(blocks);
	return err;
}

static int selftest_stash(unsigned int cpu, unsigned int count)
{
	struct selftest_stash_work work = { .count = count };
	long err;

	if (cpu >= nr_cpu_ids)
		return -EINVAL;
	work.pool = selftest_kept_pool();
	if (!work.pool)
		return -ENOMEM;
	cpus_read_lock();
	if (cpu_online(cpu))
		err = work_on_cpu(cpu, selftest_stash_fn, &work);
	else
		err = -ENODEV;
	cpus_read_unlock();
	return err;
}

static void selftest_release(void)
{
	selftest_free_blocks(kept_pool, held, nr_held);
	kvfree(held);
	held = NULL;
	nr_held = 0;
}

static int selftest_hold(unsigned int count)
{
	int err;

	if (held)
		return -EBUSY;
	if (!selftest_kept_pool())
		return -ENOMEM;
	held = kvcalloc(count, sizeof(*held), GFP_KERNEL);
	if (!held)
		return -ENOMEM;
	err = selftest_alloc_blocks(kept_pool, held, count);
	if (err) {
		kvfree(held);
		held = NULL;
		return err;
	}
	nr_held = count;
	return 0;
}

static void selftest_destroy(void)
{
	if (held)
		selftest_release();
	dma_pool_destroy(kept_pool);
	kept_pool = NULL;
}

static bool selftest_count_ok(unsigned int count)
{
	return count && count <= SELFTEST_MAX_BLOCKS;
}

static int selftest_run(char *line)
{
	unsigned int cpu, count;
	char verb[16], extra;

	if (sscanf(line, "cycle %u %c", &count, &extra) == 1)
		return selftest_count_ok(count) ? selftest_cycle(count) : -EINVAL;
	if (sscanf(line, "stash %u %u %c", &cpu, &count, &extra) == 2)
		return selftest_count_ok(count) ? selftest_stash(cpu, count) :
						  -EINVAL;
	if (sscanf(line, "hold %u %c", &count, &extra) == 1)
		return selftest_count_ok(count) ? selftest_hold(count) : -EINVAL;
	if (sscanf(line, "%15s %c", verb, &extra) != 1)
		return -EINVAL;
	if (!strcmp(verb, "release")) {
		if (!held)
			return -EINVAL;
		selftest_release();
		return 0;
	}
	if (!strcmp(verb, "destroy")) {
		selftest_destroy();
		return 0;
	}
	return -EINVAL;
}

static ssize_t selftest_cmd_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	char *line;
	int err;

	if (len > 64)
		return -EINVAL;
	line = memdup_user_nul(ubuf, len);
	if (IS_ERR(line))
		return PTR_ERR(line);
	mutex_lock(&selftest_lock);
	err = selftest_run(strim(line));
	mutex_unlock(&selftest_lock);
	kfree(line);
	return err ? err : len;
}

static const struct file_operations selftest_cmd_fops = {
	.owner = THIS_MODULE,
	.write = selftest_cmd_write,
	.llseek = noop_llseek,
};

static void selftest_dev_release(struct device *dev)
{
}

static int __init dmapool_selftest_init(void)
{
	int err;

	dev_set_name(&selftest_dev, "dmapool-selftest");
	selftest_dev.release = selftest_dev_release;
	selftest_dev.dma_mask = &selftest_dma_mask;
	err = device_register(&selftest_dev);
	if (err)
		goto put_device;
	err = dma_set_coherent_mask(&selftest_dev, DMA_BIT_MASK(64));
	if (err)
		goto unregister_device;
	selftest_dir = debugfs_create_dir("dmapool_selftest", NULL);
	debugfs_create_file("cmd", 0200, selftest_dir, NULL,
			    &selftest_cmd_fops);
	return 0;

unregister_device:
	device_unregister(&selftest_dev);
	return err;
put_device:
	put_device(&selftest_dev);
	return err;
}
module_init(dmapool_selftest_init);

static void __exit dmapool_selftest_exit(void)
{
	debugfs_remove_recursive(selftest_dir);
	selftest_destroy();
	device_unregister(&selftest_dev);
}
module_exit(dmapool_selftest_exit);

MODULE_DESCRIPTION("Drive DMA pools from user space for the kselftests");
MODULE_LICENSE("GPL");
