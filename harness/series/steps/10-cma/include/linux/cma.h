/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __CMA_H__
#define __CMA_H__

#include <linux/init.h>
#include <linux/types.h>
#include <linux/numa.h>

#ifdef CONFIG_CMA_AREAS
#define MAX_CMA_AREAS	CONFIG_CMA_AREAS
#endif

#define CMA_MAX_NAME 64

/*
 * An area is made of whole pageblocks: the buddy allocator and
 * alloc_contig_range() handle MIGRATE_CMA one pageblock at a time.
 */
#define CMA_MIN_ALIGNMENT_PAGES pageblock_nr_pages
#define CMA_MIN_ALIGNMENT_BYTES (PAGE_SIZE * CMA_MIN_ALIGNMENT_PAGES)

struct cma;

extern unsigned long totalcma_pages;
phys_addr_t cma_get_base(const struct cma *cma);
unsigned long cma_get_size(const struct cma *cma);
const char *cma_get_name(const struct cma *cma);

int __init cma_declare_contiguous_nid(phys_addr_t base,
				      phys_addr_t size, phys_addr_t limit,
				      phys_addr_t alignment,
				      unsigned int order_per_bit,
				      bool fixed, const char *name,
				      struct cma **res_cma, int nid);
static inline int __init cma_declare_contiguous(phys_addr_t base,
						phys_addr_t size,
						phys_addr_t limit,
						phys_addr_t alignment,
						unsigned int order_per_bit,
						bool fixed, const char *name,
						struct cma **res_cma)
{
	return cma_declare_contiguous_nid(base, size, limit, alignment,
			order_per_bit, fixed, name, res_cma, NUMA_NO_NODE);
}

int cma_init_reserved_mem(phys_addr_t base, phys_addr_t size,
			  unsigned int order_per_bit, const char *name,
			  struct cma **res_cma);
struct page *cma_alloc(struct cma *cma, unsigned long count, unsigned int align,
		       bool no_warn);
bool cma_pages_valid(struct cma *cma, const struct page *pages, unsigned long count);
bool cma_release(struct cma *cma, const struct page *pages, unsigned long count);

/**
 * cma_for_each_area() - call a function for every area
 * @it: the function; a non-zero return stops the walk.
 * @data: passed to @it.
 *
 * Context: Any context @it allows.
 * Return: the first non-zero value @it returned, or 0.
 */
int cma_for_each_area(int (*it)(struct cma *cma, void *data), void *data);

void cma_reserve_pages_on_error(struct cma *cma);

#ifdef CONFIG_CMA
struct folio *cma_alloc_folio(struct cma *cma, int order, gfp_t gfp);
bool cma_free_folio(struct cma *cma, const struct folio *folio);
#else
static inline struct folio *cma_alloc_folio(struct cma *cma, int order, gfp_t gfp)
{
	return NULL;
}

static inline bool cma_free_folio(struct cma *cma, const struct folio *folio)
{
	return false;
}
#endif

#endif
