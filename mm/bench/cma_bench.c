// SPDX-License-Identifier: GPL-2.0
/*
 * cma_bench: how long cma_alloc() and cma_release() take, measured through
 * the public CMA API only, so that the same code times the stock and our
 * kernel. Built in (cma_alloc() is not exported to modules) and driven by
 * writing one command to /sys/kernel/debug/cma_bench/run:
 *
 *   idle AREA
 *	alloc+release of 1, 16, 512 and 4096 pages at align 0 and 9, each
 *	repeated, on an area nobody else uses;
 *   migrate AREA
 *	allocate the whole area at once and release it: whatever movable
 *	pages live there must migrate first; reported per MiB, with the
 *	share of the area that was in use before;
 *   busy AREA OFFSET COUNT [warn]
 *	take the page at OFFSET pages into the area out of the buddy
 *	allocator behind CMA's back (its bitmap still says free, but the
 *	page cannot move), then ask for COUNT pages; with "warn", a
 *	failure is logged by CMA (no_warn false);
 *   small AREA ROUNDS
 *	alloc+release of one page ROUNDS times (at most 100000), for
 *	counting what small requests cost the other CPUs (IPIs, work
 *	items: harness/guest/bench.sh traces them around this);
 *   quiet AREA NS
 *	sleep NS nanoseconds (at most 10 s) without touching AREA: the
 *	baseline of what the system does meanwhile;
 *   pair AREA1 AREA2 [ROUNDS]
 *	two kthreads alloc+release 512 pages ROUNDS times (default 30, at
 *	most 100000), each on its own area: first one after the other, then
 *	both at once.
 *
 * Each measurement is one console line "cma_bench: case=... ns=N". Under
 * QEMU's -icount guest nanoseconds count instructions. The write returns
 * 0, or an error when the command or an area name is wrong.
 */

#define pr_fmt(fmt) "cma_bench: " fmt

#include <linux/cma.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define IDLE_REPEATS	20
#define PAIR_ROUNDS	30
#define PAIR_ROUNDS_MAX	100000
#define PAIR_PAGES	512
#define QUIET_NS_MAX	(10ULL * NSEC_PER_SEC)

static DEFINE_MUTEX(cma_bench_mutex);

struct find_area {
	const char *name;
	struct cma *cma;
};

static int match_area(struct cma *cma, void *data)
{
	struct find_area *f = data;

	if (strcmp(cma_get_name(cma), f->name))
		return 0;
	f->cma = cma;
	return 1;
}

static struct cma *bench_area(const char *name)
{
	struct find_area f = { .name = name };

	cma_for_each_area(match_area, &f);
	return f.cma;
}

static unsigned long area_pages(struct cma *cma)
{
	return cma_get_size(cma) >> PAGE_SHIFT;
}

static int bench_idle(struct cma *cma)
{
	static const unsigned long counts[] = { 1, 16, 512, 4096 };
	static const unsigned int aligns[] = { 0, 9 };
	unsigned int a, c, r;

	for (c = 0; c < ARRAY_SIZE(counts); c++) {
		for (a = 0; a < ARRAY_SIZE(aligns); a++) {
			struct page *page;
			u64 t0, ns;

			if (counts[c] > area_pages(cma))
				continue;
			/* One untimed round: per-CPU lists and caches settle. */
			page = cma_alloc(cma, counts[c], aligns[a], true);
			if (!page)
				return -ENOMEM;
			cma_release(cma, page, counts[c]);
			t0 = ktime_get_ns();
			for (r = 0; r < IDLE_REPEATS; r++) {
				page = cma_alloc(cma, counts[c], aligns[a], true);
				if (!page)
					return -ENOMEM;
				cma_release(cma, page, counts[c]);
			}
			ns = div_u64(ktime_get_ns() - t0, IDLE_REPEATS);
			pr_info("case=idle pages=%lu align=%u ns=%llu\n",
				counts[c], aligns[a], ns);
		}
	}
	return 0;
}

static int bench_migrate(struct cma *cma)
{
	unsigned long pages = area_pages(cma), base, pfn, used = 0;
	struct page *page;
	u64 t0, ns;

	base = PHYS_PFN(cma_get_base(cma));
	for (pfn = base; pfn < base + pages; pfn++)
		used += page_count(pfn_to_page(pfn)) != 0;
	t0 = ktime_get_ns();
	page = cma_alloc(cma, pages, 0, true);
	ns = ktime_get_ns() - t0;
	if (!page)
		return -EBUSY;
	cma_release(cma, page, pages);
	pr_info("case=migrate pages=%lu used=%lu ns=%llu ns_per_mib=%llu\n",
		pages, used, ns, div64_ul(ns * 256, pages));
	return 0;
}

static int bench_busy(struct cma *cma, unsigned long offset,
		      unsigned long count, bool warn)
{
	unsigned long pfn = PHYS_PFN(cma_get_base(cma)) + offset;
	struct page *page;
	u64 t0, ns;
	int ret;

	if (offset >= area_pages(cma) || !count || count > area_pages(cma))
		return -EINVAL;
	/* One page off the free lists, bitmap untouched: busy, not movable. */
	ret = alloc_contig_range(pfn, pfn + 1, MIGRATE_CMA, GFP_KERNEL);
	if (ret)
		return ret;
	t0 = ktime_get_ns();
	page = cma_alloc(cma, count, 0, !warn);
	ns = ktime_get_ns() - t0;
	pr_info("case=busy offset=%lu pages=%lu result=%s ns=%llu\n", offset,
		count, page ? "ok" : "fail", ns);
	if (page)
		cma_release(cma, page, count);
	free_contig_range(pfn, 1);
	return 0;
}

static int bench_small(struct cma *cma, unsigned long rounds)
{
	struct page *page;
	unsigned long r;
	u64 t0, ns;

	t0 = ktime_get_ns();
	for (r = 0; r < rounds; r++) {
		page = cma_alloc(cma, 1, 0, true);
		if (!page)
			return -ENOMEM;
		cma_release(cma, page, 1);
	}
	ns = ktime_get_ns() - t0;
	pr_info("case=small pages=1 rounds=%lu ns=%llu\n", rounds, ns);
	return 0;
}

struct pair_worker {
	struct cma *cma;
	unsigned long rounds;
	struct completion *go;
	struct completion done;
	int failed;
};

static int pair_fn(void *arg)
{
	struct pair_worker *w = arg;
	unsigned long r;

	wait_for_completion(w->go);
	for (r = 0; r < w->rounds; r++) {
		struct page *page = cma_alloc(w->cma, PAIR_PAGES, 0, true);

		if (!page) {
			w->failed = -ENOMEM;
			break;
		}
		cma_release(w->cma, page, PAIR_PAGES);
	}
	complete(&w->done);
	return 0;
}

/* Run the workers of @w[0..n) together; the time until the last is done. */
static int pair_run(struct pair_worker *w, int n, u64 *ns)
{
	DECLARE_COMPLETION_ONSTACK(go);
	u64 t0;
	int i, ret = 0;

	for (i = 0; i < n; i++) {
		struct task_struct *t;

		w[i].go = &go;
		w[i].failed = 0;
		init_completion(&w[i].done);
		t = kthread_run(pair_fn, &w[i], "cma_bench/%d", i);
		if (IS_ERR(t))
			return PTR_ERR(t);
	}
	t0 = ktime_get_ns();
	complete_all(&go);
	for (i = 0; i < n; i++) {
		wait_for_completion(&w[i].done);
		ret = ret ?: w[i].failed;
	}
	*ns = ktime_get_ns() - t0;
	return ret;
}

static int bench_pair(struct cma *a, struct cma *b, unsigned long rounds)
{
	struct pair_worker w[2] = {
		{ .cma = a, .rounds = rounds },
		{ .cma = b, .rounds = rounds },
	};
	u64 one, two, both;
	int ret;

	if (area_pages(a) < PAIR_PAGES || area_pages(b) < PAIR_PAGES)
		return -EINVAL;
	ret = pair_run(&w[0], 1, &one);
	if (!ret)
		ret = pair_run(&w[1], 1, &two);
	if (!ret)
		ret = pair_run(w, 2, &both);
	if (ret)
		return ret;
	pr_info("case=pair pages=%d rounds=%lu sequential_ns=%llu concurrent_ns=%llu\n",
		PAIR_PAGES, rounds, one + two, both);
	return 0;
}

static int bench_command(char *cmd)
{
	char *verb = strsep(&cmd, " "), *arg1 = strsep(&cmd, " ");
	char *arg2 = strsep(&cmd, " "), *arg3 = strsep(&cmd, " ");
	unsigned long offset, count;
	struct cma *cma, *other;

	if (!verb || !arg1)
		return -EINVAL;
	cma = bench_area(arg1);
	if (!cma)
		return -ENODEV;
	if (!strcmp(verb, "idle") && !arg2)
		return bench_idle(cma);
	if (!strcmp(verb, "migrate") && !arg2)
		return bench_migrate(cma);
	if (!strcmp(verb, "busy") && arg3) {
		bool warn = cmd && !strcmp(cmd, "warn");

		if ((cmd && !warn) || kstrtoul(arg2, 0, &offset) ||
		    kstrtoul(arg3, 0, &count))
			return -EINVAL;
		return bench_busy(cma, offset, count, warn);
	}
	if (!strcmp(verb, "small") && arg2 && !arg3) {
		if (kstrtoul(arg2, 0, &count) || !count ||
		    count > PAIR_ROUNDS_MAX)
			return -EINVAL;
		return bench_small(cma, count);
	}
	if (!strcmp(verb, "quiet") && arg2 && !arg3) {
		u64 ns;

		/* 10 s in ns does not fit an unsigned long on 32 bits. */
		if (kstrtou64(arg2, 0, &ns) || ns > QUIET_NS_MAX)
			return -EINVAL;
		fsleep(DIV_ROUND_UP_ULL(ns, NSEC_PER_USEC));
		return 0;
	}
	if (!strcmp(verb, "pair") && arg2 && !cmd) {
		count = PAIR_ROUNDS;
		if (arg3 && (kstrtoul(arg3, 0, &count) || !count ||
			     count > PAIR_ROUNDS_MAX))
			return -EINVAL;
		other = bench_area(arg2);
		if (!other || other == cma)
			return -ENODEV;
		return bench_pair(cma, other, count);
	}
	return -EINVAL;
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	char *buf;
	int ret;

	if (len > 128)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	mutex_lock(&cma_bench_mutex);
	ret = bench_command(strim(buf));
	mutex_unlock(&cma_bench_mutex);
	kfree(buf);
	return ret ? ret : len;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.write = run_write,
};

static int __init cma_bench_init(void)
{
	struct dentry *dir = debugfs_create_dir("cma_bench", NULL);

	debugfs_create_file("run", 0200, dir, NULL, &run_fops);
	return 0;
}
late_initcall(cma_bench_init);
