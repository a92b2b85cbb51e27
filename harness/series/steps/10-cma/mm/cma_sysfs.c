// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics of CMA areas in /sys/kernel/mm/cma/<area>/, all read-only
 * "%llu\n" page counts (Documentation/ABI/testing/sysfs-kernel-mm-cma):
 *
 *   alloc_pages_success    pages handed out by cma_alloc()
 *   alloc_pages_fail       pages asked for by cma_alloc() calls that failed
 *   release_pages_success  pages given back through cma_release()
 *
 * Locking: the counters are atomic64_t, updated without locks by mm/cma.c.
 * The directories are built once, at subsys_initcall, and never
 * removed unless building them fails.
 */

#include <linux/cma.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "cma.h"

void cma_sysfs_account_success_pages(struct cma *cma, unsigned long nr_pages)
{
	atomic64_add(nr_pages, &cma->nr_pages_succeeded);
}

void cma_sysfs_account_fail_pages(struct cma *cma, unsigned long nr_pages)
{
	atomic64_add(nr_pages, &cma->nr_pages_failed);
}

void cma_sysfs_account_release_pages(struct cma *cma, unsigned long nr_pages)
{
	atomic64_add(nr_pages, &cma->nr_pages_released);
}

static struct cma *kobj_to_cma(struct kobject *kobj)
{
	return container_of(kobj, struct cma_kobject, kobj)->cma;
}

static ssize_t cma_sysfs_emit(char *buf, u64 val)
{
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t alloc_pages_success_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return cma_sysfs_emit(buf,
		atomic64_read(&kobj_to_cma(kobj)->nr_pages_succeeded));
}

static ssize_t alloc_pages_fail_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return cma_sysfs_emit(buf,
		atomic64_read(&kobj_to_cma(kobj)->nr_pages_failed));
}

static ssize_t release_pages_success_show(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  char *buf)
{
	return cma_sysfs_emit(buf,
		atomic64_read(&kobj_to_cma(kobj)->nr_pages_released));
}

static struct kobj_attribute alloc_pages_success_attr =
	__ATTR_RO(alloc_pages_success);
static struct kobj_attribute alloc_pages_fail_attr =
	__ATTR_RO(alloc_pages_fail);
static struct kobj_attribute release_pages_success_attr =
	__ATTR_RO(release_pages_success);

static struct attribute *cma_attrs[] = {
	&alloc_pages_success_attr.attr,
	&alloc_pages_fail_attr.attr,
	&release_pages_success_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(cma);

static void cma_kobj_release(struct kobject *kobj)
{
	struct cma_kobject *ck = container_of(kobj, struct cma_kobject, kobj);

	ck->cma->cma_kobj = NULL;
	kfree(ck);
}

static const struct kobj_type cma_ktype = {
	.release = cma_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = cma_groups,
};

static int __init cma_sysfs_add_area(struct cma *cma, struct kobject *root)
{
	struct cma_kobject *ck;
	int err;

	ck = kzalloc(sizeof(*ck), GFP_KERNEL);
	if (!ck)
		return -ENOMEM;
	ck->cma = cma;
	cma->cma_kobj = ck;
	err = kobject_init_and_add(&ck->kobj, &cma_ktype, root, "%s",
				   cma->name);
	if (err)
		kobject_put(&ck->kobj);	/* frees ck through the release */
	return err;
}

static void __init cma_sysfs_remove_areas(unsigned int nr)
{
	struct cma *cma;

	while (nr--) {
		cma = cma_area_at(nr);
		kobject_put(&cma->cma_kobj->kobj);
	}
}

static int __init cma_sysfs_init(void)
{
	struct kobject *root;
	unsigned int i;
	int err = 0;

	root = kobject_create_and_add("cma", mm_kobj);
	if (!root)
		return -ENOMEM;
	for (i = 0; i < cma_area_count && !err; i++)
		err = cma_sysfs_add_area(cma_area_at(i), root);
	if (!err)
		return 0;

	/* Area i - 1 failed and is gone already; unwind the ones before. */
	pr_err("cma: sysfs for area %s failed: %d\n",
	       cma_area_at(i - 1)->name, err);
	cma_sysfs_remove_areas(i - 1);
	kobject_put(root);
	return err;
}
subsys_initcall(cma_sysfs_init);
