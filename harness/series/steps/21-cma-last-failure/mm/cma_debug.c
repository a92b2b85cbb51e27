// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs for CMA: one directory per area under /sys/kernel/debug/cma/.
 *
 *   base_pfn, count, order_per_bit   the area's geometry (read, "%llu\n")
 *   used, maxchunk                   allocated pages, longest free run
 *   bitmap                           the allocation bitmap as u32 words
 *   alloc                            write N: cma_alloc() N pages and keep them
 *   free                             write N: give back N of those pages
 *   last_failure                     the last failed allocation (root only)
 *
 * The pages taken through "alloc" are remembered on cma->mem_head, newest
 * first, so that "free" can only give back what "alloc" took. "alloc" fails
 * with -ENOMEM when cma_alloc() does; "free" gives back up to N of the held
 * pages, and stops at a block it would have to split when a bitmap bit
 * covers several pages.
 *
 * Locking: cma->mem_head_lock (spinlock) guards mem_head and the blocks on
 * it. cma_alloc() and cma_release() are called without it.
 */

#include <linux/cma.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "cma.h"

/* A run of pages taken through the "alloc" file. */
struct cma_dbg_block {
	struct hlist_node node;
	struct page *first;
	unsigned long nr;
};

static int cma_dbg_base_pfn(void *data, u64 *val)
{
	*val = ((struct cma *)data)->base_pfn;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(cma_dbg_base_pfn_fops, cma_dbg_base_pfn, NULL,
			 "%llu\n");

static int cma_dbg_count(void *data, u64 *val)
{
	*val = ((struct cma *)data)->count;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(cma_dbg_count_fops, cma_dbg_count, NULL, "%llu\n");

static int cma_dbg_order_per_bit(void *data, u64 *val)
{
	*val = ((struct cma *)data)->order_per_bit;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(cma_dbg_order_per_bit_fops, cma_dbg_order_per_bit,
			 NULL, "%llu\n");

static int cma_dbg_used(void *data, u64 *val)
{
	*val = cma_used_pages(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(cma_dbg_used_fops, cma_dbg_used, NULL, "%llu\n");

static int cma_dbg_maxchunk(void *data, u64 *val)
{
	*val = cma_largest_free_run(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(cma_dbg_maxchunk_fops, cma_dbg_maxchunk, NULL,
			 "%llu\n");

static int cma_dbg_alloc(void *data, u64 val)
{
	struct cma *cma = data;
	struct cma_dbg_block *blk;

	blk = kzalloc(sizeof(*blk), GFP_KERNEL);
	if (!blk)
		return -ENOMEM;
	blk->nr = val;
	blk->first = cma_alloc(cma, blk->nr, 0, false);
	if (!blk->first) {
		kfree(blk);
		return -ENOMEM;
	}
	spin_lock(&cma->mem_head_lock);
	hlist_add_head(&blk->node, &cma->mem_head);
	spin_unlock(&cma->mem_head_lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(cma_dbg_alloc_fops, NULL, cma_dbg_alloc, "%llu\n");

/*
 * Detach from mem_head the blocks that make up the newest @want pages, or
 * as many as there are, onto @out. If the last one is only partly needed,
 * its head is cut off into *@cut_first / *@cut_nr instead, unless a bitmap
 * bit covers several pages. Caller holds mem_head_lock.
 */
static void cma_dbg_take(struct cma *cma, unsigned long want,
			 struct hlist_head *out, struct page **cut_first,
			 unsigned long *cut_nr)
{
	struct cma_dbg_block *blk;
	struct hlist_node *tmp;

	lockdep_assert_held(&cma->mem_head_lock);
	hlist_for_each_entry_safe(blk, tmp, &cma->mem_head, node) {
		if (!want)
			break;
		if (blk->nr > want) {
			if (cma->order_per_bit)
				break;
			*cut_first = blk->first;
			*cut_nr = want;
			blk->first = nth_page(blk->first, want);
			blk->nr -= want;
			break;
		}
		want -= blk->nr;
		hlist_del(&blk->node);
		hlist_add_head(&blk->node, out);
	}
}

static int cma_dbg_free(void *data, u64 val)
{
	struct cma *cma = data;
	struct cma_dbg_block *blk;
	struct hlist_node *tmp;
	HLIST_HEAD(taken);
	struct page *cut_first = NULL;
	unsigned long cut_nr = 0;

	spin_lock(&cma->mem_head_lock);
	cma_dbg_take(cma, val, &taken, &cut_first, &cut_nr);
	spin_unlock(&cma->mem_head_lock);

	hlist_for_each_entry_safe(blk, tmp, &taken, node) {
		cma_release(cma, blk->first, blk->nr);
		kfree(blk);
	}
	if (cut_first)
		cma_release(cma, cut_first, cut_nr);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(cma_dbg_free_fops, NULL, cma_dbg_free, "%llu\n");

/*
 * One "key value" line per field, the blocking pages' pfns in decimal like
 * base_pfn; "none" until an allocation fails.
 */
static int cma_dbg_last_failure_show(struct seq_file *m, void *v)
{
	struct cma *cma = m->private;
	struct cma_failure f;
	unsigned int i;

	spin_lock_irq(&cma->lock);
	f = cma->last_failure;
	spin_unlock_irq(&cma->lock);
	if (!f.time_ns) {
		seq_puts(m, "none\n");
		return 0;
	}
	seq_printf(m, "time_ns %llu\npages %lu\nalign %u\nerror %d\n",
		   f.time_ns, f.count, f.align, f.err);
	seq_printf(m, "free_pages %lu\nlargest_free_run %lu\nblocking_pfns",
		   f.free_pages, f.largest_free);
	for (i = 0; i < f.nr_blocking; i++)
		seq_printf(m, " %lu", f.blocking[i]);
	seq_putc(m, '\n');
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cma_dbg_last_failure);

static void __init cma_dbg_add_area(struct cma *cma, struct dentry *root)
{
	struct dentry *dir = debugfs_create_dir(cma->name, root);

	debugfs_create_file_unsafe("alloc", 0200, dir, cma,
				   &cma_dbg_alloc_fops);
	debugfs_create_file_unsafe("free", 0200, dir, cma, &cma_dbg_free_fops);
	debugfs_create_file_unsafe("base_pfn", 0444, dir, cma,
				   &cma_dbg_base_pfn_fops);
	debugfs_create_file_unsafe("count", 0444, dir, cma,
				   &cma_dbg_count_fops);
	debugfs_create_file_unsafe("order_per_bit", 0444, dir, cma,
				   &cma_dbg_order_per_bit_fops);
	debugfs_create_file_unsafe("used", 0444, dir, cma, &cma_dbg_used_fops);
	debugfs_create_file_unsafe("maxchunk", 0444, dir, cma,
				   &cma_dbg_maxchunk_fops);
	debugfs_create_file("last_failure", 0400, dir, cma,
			    &cma_dbg_last_failure_fops);

	/* Read as it stands, without cma->lock: a snapshot is all it offers. */
	cma->dfs_bitmap.array = (u32 *)cma->bitmap;
	cma->dfs_bitmap.n_elements = cma->bitmap ?
		DIV_ROUND_UP(cma_bitmap_maxno(cma), 32) : 0;
	debugfs_create_u32_array("bitmap", 0444, dir, &cma->dfs_bitmap);
}

static int __init cma_debugfs_init(void)
{
	struct dentry *root = debugfs_create_dir("cma", NULL);
	unsigned int i;

	for (i = 0; i < cma_area_count; i++)
		cma_dbg_add_area(cma_area_at(i), root);
	return 0;
}
late_initcall(cma_debugfs_init);
