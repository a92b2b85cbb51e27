/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal view of a CMA area, shared by mm/cma.c (the allocator),
 * mm/cma_debug.c (debugfs) and mm/cma_sysfs.c (statistics).
 *
 * The locks and their order are described at the top of mm/cma.c.
 */
#ifndef __MM_CMA_H__
#define __MM_CMA_H__

#include <linux/debugfs.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

struct cma_kobject {
	struct kobject kobj;
	struct cma *cma;
};

/**
 * struct cma - one contiguous memory area
 * @base_pfn: first page frame of the area.
 * @count: pages in the area; 0 once activation failed.
 * @bitmap: one bit per 1 << @order_per_bit pages, set while allocated.
 * @order_per_bit: order of the page block one bitmap bit stands for.
 * @lock: guards @bitmap.
 * @mem_head: blocks allocated through debugfs and not yet freed there.
 * @mem_head_lock: guards @mem_head.
 * @dfs_bitmap: what the debugfs "bitmap" file shows.
 * @name: the area's name, as in debugfs and sysfs.
 * @nr_pages_succeeded: pages handed out by successful allocations.
 * @nr_pages_failed: pages asked for by failed allocations.
 * @nr_pages_released: pages given back by cma_release().
 * @cma_kobj: the area's sysfs directory.
 * @reserve_pages_on_error: keep the pages reserved if activation fails.
 */
struct cma {
	unsigned long base_pfn;
	unsigned long count;
	unsigned long *bitmap;
	unsigned int order_per_bit;
	spinlock_t lock;		/* bitmap */
#ifdef CONFIG_CMA_DEBUGFS
	struct hlist_head mem_head;
	spinlock_t mem_head_lock;	/* mem_head */
	struct debugfs_u32_array dfs_bitmap;
#endif
	char name[CMA_MAX_NAME];
#ifdef CONFIG_CMA_SYSFS
	atomic64_t nr_pages_succeeded;
	atomic64_t nr_pages_failed;
	atomic64_t nr_pages_released;
	struct cma_kobject *cma_kobj;
#endif
	bool reserve_pages_on_error;
};

/* The area table: the first cma_area_count slots are in use. */
extern struct cma cma_areas[MAX_CMA_AREAS];
extern unsigned int cma_area_count;

struct cma *cma_area_at(unsigned int idx);

static inline unsigned long cma_bitmap_maxno(struct cma *cma)
{
	return cma->count >> cma->order_per_bit;
}

/* Bitmap bits needed for @pages pages, a partial bit counting whole. */
static inline unsigned long cma_bitmap_pages_to_bits(const struct cma *cma,
						     unsigned long pages)
{
	return ALIGN(pages, 1UL << cma->order_per_bit) >> cma->order_per_bit;
}

/*
 * For a request aligned to 1 << @align_order pages: the mask a bitmap index
 * must clear, and the index offset of the area's base from that alignment.
 */
static inline unsigned long cma_bitmap_aligned_mask(const struct cma *cma,
						    unsigned int align_order)
{
	if (align_order <= cma->order_per_bit)
		return 0;
	return (1UL << (align_order - cma->order_per_bit)) - 1;
}

static inline unsigned long cma_bitmap_aligned_offset(const struct cma *cma,
						      unsigned int align_order)
{
	unsigned long misalign = cma->base_pfn & ((1UL << align_order) - 1);

	return misalign >> cma->order_per_bit;
}

unsigned long cma_available_pages(struct cma *cma);
unsigned long cma_used_pages(struct cma *cma);
unsigned long cma_largest_free_run(struct cma *cma);

#ifdef CONFIG_CMA_SYSFS
void cma_sysfs_account_success_pages(struct cma *cma, unsigned long nr_pages);
void cma_sysfs_account_fail_pages(struct cma *cma, unsigned long nr_pages);
void cma_sysfs_account_release_pages(struct cma *cma, unsigned long nr_pages);
#else
static inline void cma_sysfs_account_success_pages(struct cma *cma,
						   unsigned long nr_pages) {}
static inline void cma_sysfs_account_fail_pages(struct cma *cma,
						unsigned long nr_pages) {}
static inline void cma_sysfs_account_release_pages(struct cma *cma,
						   unsigned long nr_pages) {}
#endif
#endif
