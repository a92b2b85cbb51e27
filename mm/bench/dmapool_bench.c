// SPDX-License-Identifier: GPL-2.0
/*
 * dmapool_bench: throughput of dma_pool_alloc() + dma_pool_free() when
 * several CPUs share one pool.
 *
 * Each of "threads" kthreads, bound to its own CPU, allocates "depth"
 * blocks and frees them again, "rounds" times, from one pool of "size"
 * byte blocks. All threads start together; the module prints one line
 *
 *   dmapool_bench: size=S threads=T pairs=P ns=N
 *
 * with the total alloc+free pairs and the wall time from the start until
 * the last thread finished, then fails to load (-EAGAIN) so that it can be
 * loaded again without rmmod. Uses only the public dma_pool API.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>

static unsigned int size = 64;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "block size in bytes");
static unsigned int threads = 2;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "number of CPUs working on the pool");
static unsigned int depth = 64;
module_param(depth, uint, 0444);
MODULE_PARM_DESC(depth, "blocks each thread holds at once");
static unsigned int rounds = 2000;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "alloc-all then free-all rounds per thread");

struct bench_worker {
	struct dma_pool *pool;
	struct completion *start;
	struct completion done;
	u64 end_ns;
	int failed;
};

static int bench_worker_fn(void *arg)
{
	struct bench_worker *w = arg;
	dma_addr_t *dma;
	void **blocks;
	unsigned int r, i;

	blocks = kcalloc(depth, sizeof(*blocks), GFP_KERNEL);
	dma = kcalloc(depth, sizeof(*dma), GFP_KERNEL);
	if (!blocks || !dma) {
		w->failed = -ENOMEM;
		goto out;
	}
	wait_for_completion(w->start);
	for (r = 0; r < rounds && !w->failed; r++) {
		for (i = 0; i < depth; i++) {
			blocks[i] = dma_pool_alloc(w->pool, GFP_KERNEL, &dma[i]);
			if (!blocks[i]) {
				w->failed = -ENOMEM;
				break;
			}
		}
		while (i--)
			dma_pool_free(w->pool, blocks[i], dma[i]);
	}
	w->end_ns = ktime_get_ns();
out:
	kfree(blocks);
	kfree(dma);
	complete(&w->done);
	return 0;
}

static void bench_dev_release(struct device *dev)
{
}

static struct device bench_dev = {
	.init_name = "dmapool_bench",
	.release = bench_dev_release,
};

static int bench_run(struct dma_pool *pool)
{
	DECLARE_COMPLETION_ONSTACK(start);
	struct bench_worker *w;
	u64 t0, end = 0;
	unsigned int i;
	int cpu, ret = 0;

	w = kcalloc(threads, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	cpu = cpumask_first(cpu_online_mask);
	for (i = 0; i < threads; i++) {
		struct task_struct *t;

		w[i].pool = pool;
		w[i].start = &start;
		init_completion(&w[i].done);
		t = kthread_create(bench_worker_fn, &w[i], "dmapool_bench/%u", i);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			threads = i;
			break;
		}
		kthread_bind(t, cpu);
		wake_up_process(t);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	t0 = ktime_get_ns();
	complete_all(&start);
	for (i = 0; i < threads; i++) {
		wait_for_completion(&w[i].done);
		end = max(end, w[i].end_ns);
		if (w[i].failed)
			ret = w[i].failed;
	}
	if (!ret)
		pr_info("dmapool_bench: size=%u threads=%u pairs=%llu ns=%llu\n",
			size, threads, (u64)threads * rounds * depth, end - t0);
	kfree(w);
	return ret;
}

static int __init dmapool_bench_init(void)
{
	struct dma_pool *pool;
	int ret;

	ret = device_register(&bench_dev);
	if (ret) {
		put_device(&bench_dev);
		return ret;
	}
	bench_dev.coherent_dma_mask = DMA_BIT_MASK(64);
	bench_dev.dma_mask = &bench_dev.coherent_dma_mask;
	pool = dma_pool_create("bench", &bench_dev, size, 0, 0);
	if (!pool) {
		ret = -ENOMEM;
		goto unregister;
	}
	ret = bench_run(pool);
	dma_pool_destroy(pool);
unregister:
	device_unregister(&bench_dev);
	return ret ? ret : -EAGAIN;
}
module_init(dmapool_bench_init);

MODULE_DESCRIPTION("dma_pool throughput with several CPUs on one pool");
MODULE_LICENSE("GPL");
