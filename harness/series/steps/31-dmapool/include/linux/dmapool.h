/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DMA pools: fixed-size blocks of coherent DMA memory for drivers that need
 * many small DMA buffers of one size (descriptors, command blocks). See
 * mm/dmapool.c for the allocator and the kernel-doc of each function.
 */

#ifndef LINUX_DMAPOOL_H
#define LINUX_DMAPOOL_H

#include <linux/scatterlist.h>
#include <asm/io.h>

struct device;

#ifdef CONFIG_HAS_DMA

struct dma_pool *dma_pool_create(const char *name, struct device *dev,
				 size_t size, size_t align, size_t boundary);
void dma_pool_destroy(struct dma_pool *pool);
void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags,
		     dma_addr_t *handle);
void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t addr);

/* Pools destroyed automatically when the driver detaches from the device. */
struct dma_pool *dmam_pool_create(const char *name, struct device *dev,
				  size_t size, size_t align, size_t boundary);
void dmam_pool_destroy(struct dma_pool *pool);

#else /* !CONFIG_HAS_DMA */

static inline struct dma_pool *dma_pool_create(const char *name,
					       struct device *dev, size_t size,
					       size_t align, size_t boundary)
{
	return NULL;
}

static inline void dma_pool_destroy(struct dma_pool *pool) { }

static inline void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags,
				   dma_addr_t *handle)
{
	return NULL;
}

static inline void dma_pool_free(struct dma_pool *pool, void *vaddr,
				 dma_addr_t addr) { }

static inline struct dma_pool *dmam_pool_create(const char *name,
						struct device *dev, size_t size,
						size_t align, size_t boundary)
{
	return NULL;
}

static inline void dmam_pool_destroy(struct dma_pool *pool) { }

#endif /* !CONFIG_HAS_DMA */

/* dma_pool_alloc() of a block whose bytes are all zero. */
static inline void *dma_pool_zalloc(struct dma_pool *pool, gfp_t mem_flags,
				    dma_addr_t *handle)
{
	return dma_pool_alloc(pool, mem_flags | __GFP_ZERO, handle);
}

#endif /* LINUX_DMAPOOL_H */
