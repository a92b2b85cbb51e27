// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON user interface under /sys/kernel/mm/damon/admin.
 *
 * The tree mirrors what a DAMON user configures: kdamonds hold contexts,
 * a context holds its operations set, monitoring attributes, targets (each
 * with its initial regions) and schemes (sysfs-schemes.c).  Four levels of
 * it are numbered directories behind an nr_* file; they share one
 * implementation, struct damon_sysfs_dirs, which grows by adding children
 * at the end and shrinks by removing them from the end, so a failed resize
 * leaves the children that were there untouched.
 *
 * Turning a kdamond on turns the tree into a fresh damon_ctx, checking every
 * value on the way; nothing of the tree is used by the kdamond afterwards
 * except while a state command is handled.
 *
 * State commands that need the running context (all but on and off) are
 * posted to the kdamond and handled from its callbacks at the first point
 * where their result is right: after the next sampling for the ones that
 * read or set schemes data and for commit (at an aggregation boundary if
 * it changes the sampling or aggregation interval), after a whole round of
 * scheme application for the tried-regions updates.  The
 * writer sleeps on a completion and gets the command's own error code.
 *
 * Locking:
 *
 * damon_sysfs_lock (sysfs-common.c) guards the shape of the tree (every
 * nr_* array, here and in sysfs-schemes.c) and every access a kdamond makes
 * to it.  It is only ever held for short: a state writer holds it to check
 * and prepare its command but not while the kdamond works on it, and the
 * kdamond takes it itself around each step of a command (never otherwise).
 * Our handlers wait for it instead of failing with -EBUSY.  That is safe
 * because no holder waits for a kdamond (off stops one without it) nor
 * removes a directory with one of our files in it: an nr_* write detaches
 * the children it drops and marks their nr_* directories dead under the
 * lock, and removes them after unlocking; a handler that then gets the lock
 * in a dead directory returns -ENOENT.  The files of sysfs-schemes.c still
 * only try the lock, so they may be removed under it.
 *
 * damon_sysfs_kdamond->cmd_mutex lets one state command at a time work on a
 * kdamond: the next one waits (killably) for the answer to the first.  Off
 * does not wait; the kdamond answers the command it has as it terminates.
 * damon_sysfs_kdamond->state_lock orders on against off.
 *
 * damon_sysfs_kdamond->ctx_lock guards the damon_ctx pointer for the state
 * and pid readers, which therefore never wait for a command to finish.
 *
 * damon_sysfs_kdamond->cmd_lock (a spinlock) guards the command slot shared
 * by the writer and the kdamond thread.
 *
 * Lock order: cmd_mutex, state_lock, damon_sysfs_lock, ctx_lock, the core's
 * damon_ctx->kdamond_lock.  cmd_lock is innermost and never held across a
 * call into DAMON.
 *
 * Values (pid_target, start, end, intervals) are plain words: they are read
 * only while a context is being built, under damon_sysfs_lock.
 */

#include <linux/completion.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "sysfs-common.h"

/* Upper bounds of the nr_* files: past them a write is -EINVAL. */
#define DAMON_SYSFS_MAX_KDAMONDS	1024
#define DAMON_SYSFS_MAX_CONTEXTS	1
#define DAMON_SYSFS_MAX_TARGETS		65536
#define DAMON_SYSFS_MAX_REGIONS		65536

/*
 * Numbered children directories
 */

struct damon_sysfs_dirs;

/**
 * struct damon_sysfs_dirs_ops - What a numbered directory holds.
 * @ktype:	The directory's type, with its nr_* file.
 * @limit:	Largest accepted count.
 * @add:	Create child @idx under @parent, complete with its own
 *		subdirectories, and set *@kid to it.  On failure *@kid is
 *		NULL, or a child left half built because removing it needs
 *		damon_sysfs_lock released: @kill and @remove take it as it is.
 * @kill:	Optional: mark the directories of nr_* files below a child
 *		that is being detached dead (damon_sysfs_dirs_kill()).
 * @remove:	Remove a detached child made by @add and drop its reference.
 * @busy:	Optional: true while the count must not change.
 */
struct damon_sysfs_dirs_ops {
	const struct kobj_type *ktype;
	int limit;
	int (*add)(struct kobject *parent, int idx, struct kobject **kid);
	void (*kill)(struct kobject *kid);
	void (*remove)(struct kobject *kid);
	bool (*busy)(struct damon_sysfs_dirs *dirs);
};

/**
 * struct damon_sysfs_dirs - A directory of numbered children.
 * @kobj:	The directory, holding the nr_* file.
 * @kids:	The children, @nr of them, named after their index.
 * @nr:		Number of children.
 * @dead:	Detached from the tree: its nr_* file refuses writes until
 *		the directory is removed.
 * @ops:	How children are made and removed.
 *
 * @kids, @nr and @dead are under damon_sysfs_lock.
 */
struct damon_sysfs_dirs {
	struct kobject kobj;
	struct kobject **kids;
	int nr;
	bool dead;
	const struct damon_sysfs_dirs_ops *ops;
};

/**
 * struct damon_sysfs_gone - Children detached from the tree.
 * @kids:	The children, to remove once damon_sysfs_lock is released.
 * @nr:		Number of them.
 * @ops:	How to remove them.
 *
 * Removing a directory waits for the handlers running on its files, and
 * those may be waiting for damon_sysfs_lock: children are detached under the
 * lock and removed after it, by damon_sysfs_gone_remove().
 */
struct damon_sysfs_gone {
	struct kobject **kids;
	int nr;
	const struct damon_sysfs_dirs_ops *ops;
};

static struct damon_sysfs_dirs *to_dirs(struct kobject *kobj)
{
	return container_of(kobj, struct damon_sysfs_dirs, kobj);
}

/* Mark @dirs and every numbered directory below it dead. */
static void damon_sysfs_dirs_kill(struct damon_sysfs_dirs *dirs)
{
	int i;

	lockdep_assert_held(&damon_sysfs_lock);
	dirs->dead = true;
	if (dirs->ops->kill)
		for (i = 0; i < dirs->nr; i++)
			dirs->ops->kill(dirs->kids[i]);
}

/* Move the children past the first @nr to @gone, marked dead. */
static void damon_sysfs_dirs_detach(struct damon_sysfs_dirs *dirs, int nr,
				    struct damon_sysfs_gone *gone)
{
	struct kobject *kid;

	lockdep_assert_held(&damon_sysfs_lock);
	while (dirs->nr > nr) {
		kid = dirs->kids[--dirs->nr];
		if (dirs->ops->kill)
			dirs->ops->kill(kid);
		gone->kids[gone->nr++] = kid;
	}
	if (!dirs->nr) {
		kfree(dirs->kids);
		dirs->kids = NULL;
	}
}

/*
 * Remove what damon_sysfs_dirs_detach() left in @gone, without
 * damon_sysfs_lock: the handlers of the subtree that wait for it see it dead
 * and return, which lets their directories go.
 */
static void damon_sysfs_gone_remove(struct damon_sysfs_gone *gone)
{
	int i;

	for (i = 0; i < gone->nr; i++)
		gone->ops->remove(gone->kids[i]);
	kfree(gone->kids);
	gone->kids = NULL;
	gone->nr = 0;
}

/*
 * Change the number of children to @nr.  Removed children (and new ones if
 * the growth fails half way) go to @gone for damon_sysfs_gone_remove().
 */
static int damon_sysfs_dirs_resize(struct damon_sysfs_dirs *dirs, int nr,
				   struct damon_sysfs_gone *gone)
{
	struct kobject **kids, *kid;
	int old_nr = dirs->nr, err;

	lockdep_assert_held(&damon_sysfs_lock);
	if (nr == old_nr)
		return 0;
	gone->ops = dirs->ops;
	gone->kids = kmalloc_array(abs(nr - old_nr), sizeof(*gone->kids),
				   GFP_KERNEL | __GFP_NOWARN);
	if (!gone->kids)
		return -ENOMEM;
	if (nr < old_nr) {
		damon_sysfs_dirs_detach(dirs, nr, gone);
		return 0;
	}
	kids = krealloc_array(dirs->kids, nr, sizeof(*kids),
			      GFP_KERNEL | __GFP_NOWARN);
	if (!kids)
		return -ENOMEM;
	dirs->kids = kids;
	while (dirs->nr < nr) {
		kid = NULL;
		err = dirs->ops->add(&dirs->kobj, dirs->nr, &kid);
		if (kid)
			dirs->kids[dirs->nr++] = kid;
		if (err) {
			damon_sysfs_dirs_detach(dirs, old_nr, gone);
			return err;
		}
	}
	return 0;
}

static ssize_t damon_sysfs_dirs_nr_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_dirs(kobj)->nr);
}

static ssize_t damon_sysfs_dirs_nr_store(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 const char *buf, size_t count)
{
	struct damon_sysfs_dirs *dirs = to_dirs(kobj);
	struct damon_sysfs_gone gone = {};
	int nr, err;

	err = kstrtoint(buf, 0, &nr);
	if (err)
		return err;
	if (nr < 0 || nr > dirs->ops->limit)
		return -EINVAL;
	err = mutex_lock_killable(&damon_sysfs_lock);
	if (err)
		return err;
	if (dirs->dead)
		err = -ENOENT;
	else if (dirs->ops->busy && dirs->ops->busy(dirs))
		err = -EBUSY;
	else
		err = damon_sysfs_dirs_resize(dirs, nr, &gone);
	mutex_unlock(&damon_sysfs_lock);
	damon_sysfs_gone_remove(&gone);
	return err ? err : count;
}

static void damon_sysfs_dirs_release(struct kobject *kobj)
{
	kfree(to_dirs(kobj));
}

/*
 * Initialise and add @kobj as @name under @parent.  On failure the reference
 * is dropped, which frees the object through its release function.
 */
static int damon_sysfs_add_named(struct kobject *kobj,
				 const struct kobj_type *ktype,
				 struct kobject *parent, const char *name)
{
	int err = kobject_init_and_add(kobj, ktype, parent, "%s", name);

	if (err)
		kobject_put(kobj);
	return err;
}

/* Numbered children are named after their index. */
static int damon_sysfs_add_numbered(struct kobject *kobj,
				    const struct kobj_type *ktype,
				    struct kobject *parent, int idx)
{
	char name[12];

	snprintf(name, sizeof(name), "%d", idx);
	return damon_sysfs_add_named(kobj, ktype, parent, name);
}

static struct damon_sysfs_dirs *
damon_sysfs_dirs_create(struct kobject *parent, const char *name,
			const struct damon_sysfs_dirs_ops *ops)
{
	struct damon_sysfs_dirs *dirs = kzalloc(sizeof(*dirs), GFP_KERNEL);
	int err;

	if (!dirs)
		return ERR_PTR(-ENOMEM);
	dirs->ops = ops;
	err = damon_sysfs_add_named(&dirs->kobj, ops->ktype, parent, name);
	return err ? ERR_PTR(err) : dirs;
}

/*
 * Tear down a directory of a subtree that is detached from the tree and
 * has no handler running any more, or was never visible.
 */
static void damon_sysfs_dirs_destroy(struct damon_sysfs_dirs *dirs)
{
	while (dirs->nr)
		dirs->ops->remove(dirs->kids[--dirs->nr]);
	kfree(dirs->kids);
	kobject_del(&dirs->kobj);
	kobject_put(&dirs->kobj);
}

static void damon_sysfs_remove_kobj(struct kobject *kobj)
{
	kobject_del(kobj);
	kobject_put(kobj);
}

/*
 * An unsigned long value file.  The value sits @offset bytes from the
 * directory's kobject, which comes first in each struct using these files.
 */
struct damon_sysfs_ul_file {
	struct kobj_attribute attr;
	size_t offset;
};

static unsigned long *damon_sysfs_ul_value(struct kobject *kobj,
					   struct kobj_attribute *attr)
{
	struct damon_sysfs_ul_file *file =
		container_of(attr, struct damon_sysfs_ul_file, attr);

	return (unsigned long *)((char *)kobj + file->offset);
}

static ssize_t damon_sysfs_ul_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", *damon_sysfs_ul_value(kobj, attr));
}

static ssize_t damon_sysfs_ul_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	int err = kstrtoul(buf, 0, damon_sysfs_ul_value(kobj, attr));

	return err ? err : count;
}

/*
 * regions/<R>/{start,end}
 */

struct damon_sysfs_region {
	struct kobject kobj;
	unsigned long start;
	unsigned long end;
};

static_assert(offsetof(struct damon_sysfs_region, kobj) == 0);

static struct damon_sysfs_ul_file damon_sysfs_start_file = {
	.attr = __ATTR(start, 0600, damon_sysfs_ul_show, damon_sysfs_ul_store),
	.offset = offsetof(struct damon_sysfs_region, start),
};

static struct damon_sysfs_ul_file damon_sysfs_end_file = {
	.attr = __ATTR(end, 0600, damon_sysfs_ul_show, damon_sysfs_ul_store),
	.offset = offsetof(struct damon_sysfs_region, end),
};

static struct attribute *damon_sysfs_region_attrs[] = {
	&damon_sysfs_start_file.attr.attr,
	&damon_sysfs_end_file.attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(damon_sysfs_region);

static void damon_sysfs_region_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct damon_sysfs_region, kobj));
}

static const struct kobj_type damon_sysfs_region_ktype = {
	.release = damon_sysfs_region_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = damon_sysfs_region_groups,
};

static struct damon_sysfs_region *to_region(struct kobject *kobj)
{
	return container_of(kobj, struct damon_sysfs_region, kobj);
}

static int damon_sysfs_region_add(struct kobject *parent, int idx,
				  struct kobject **kid)
{
	struct damon_sysfs_region *region = kzalloc(sizeof(*region),
						    GFP_KERNEL);
	int err;

	if (!region)
		return -ENOMEM;
	err = damon_sysfs_add_numbered(&region->kobj,
				       &damon_sysfs_region_ktype, parent, idx);
	if (!err)
		*kid = &region->kobj;
	return err;
}

static struct kobj_attribute damon_sysfs_nr_regions_attr =
	__ATTR(nr_regions, 0600, damon_sysfs_dirs_nr_show,
	       damon_sysfs_dirs_nr_store);

static struct attribute *damon_sysfs_regions_attrs[] = {
	&damon_sysfs_nr_regions_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(damon_sysfs_regions);

static const struct kobj_type damon_sysfs_regions_ktype = {
	.release = damon_sysfs_dirs_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = damon_sysfs_regions_groups,
};

static const struct damon_sysfs_dirs_ops damon_sysfs_regions_ops = {
	.ktype = &damon_sysfs_regions_ktype,
	.limit = DAMON_SYSFS_MAX_REGIONS,
	.add = damon_sysfs_region_add,
	.remove = damon_sysfs_remove_kobj,
};

/*
 * targets/<T>/{pid_target,regions/}
 */

struct damon_sysfs_target {
	struct kobject kobj;
	int pid;
	struct damon_sysfs_dirs *regions;
};

static struct damon_sysfs_target *to_target(struct kobject *kobj)
{
	return container_of(kobj, struct damon_sysfs_target, kobj);
}

static ssize_t pid_target_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_target(kobj)->pid);
}

static ssize_t pid_target_store(struct kobject *kobj,
				struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	int err = kstrtoint(buf, 0, &to_target(kobj)->pid);

	return err ? err : count;
}

static struct kobj_attribute damon_sysfs_pid_target_attr =
	__ATTR_RW_MODE(pid_target, 0600);

static struct attribute *damon_sysfs_target_attrs[] = {
	&damon_sysfs_pid_target_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(damon_sysfs_target);

static void damon_sysfs_target_release(struct kobject *kobj)
{
	kfree(to_target(kobj));
}

static const struct kobj_type damon_sysfs_target_ktype = {
	.release = damon_sysfs_target_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = damon_sysfs_target_groups,
};

/* regions/ comes last: nothing in the target blocks on damon_sysfs_lock. */
static int damon_sysfs_target_add(struct kobject *parent, int idx,
				  struct kobject **kid)
{
	struct damon_sysfs_target *target = kzalloc(sizeof(*target),
						    GFP_KERNEL);
	struct damon_sysfs_dirs *regions;
	int err;

	if (!target)
		return -ENOMEM;
	err = damon_sysfs_add_numbered(&target->kobj,
				       &damon_sysfs_target_ktype, parent, idx);
	if (err)
		return err;
	regions = damon_sysfs_dirs_create(&target->kobj, "regions",
					  &damon_sysfs_regions_ops);
	if (IS_ERR(regions)) {
		damon_sysfs_remove_kobj(&target->kobj);
		return PTR_ERR(regions);
	}
	target->regions = regions;
	*kid = &target->kobj;
	return 0;
}

static void damon_sysfs_target_kill(struct kobject *kobj)
{
	damon_sysfs_dirs_kill(to_target(kobj)->regions);
}

static void damon_sysfs_target_remove(struct kobject *kobj)
{
	damon_sysfs_dirs_destroy(to_target(kobj)->regions);
	damon_sysfs_remove_kobj(kobj);
}

static struct kobj_attribute damon_sysfs_nr_targets_attr =
	__ATTR(nr_targets, 0600, damon_sysfs_dirs_nr_show,
	       damon_sysfs_dirs_nr_store);

static struct attribute *damon_sysfs_targets_attrs[] = {
	&damon_sysfs_nr_targets_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(damon_sysfs_targets);

static const struct kobj_type damon_sysfs_targets_ktype = {
	.release = damon_sysfs_dirs_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = damon_sysfs_targets_groups,
};

static const struct damon_sysfs_dirs_ops damon_sysfs_targets_ops = {
	.ktype = &damon_sysfs_targets_ktype,
	.limit = DAMON_SYSFS_MAX_TARGETS,
	.add = damon_sysfs_target_add,
	.kill = damon_sysfs_target_kill,
	.remove = damon_sysfs_target_remove,
};

/*
 * monitoring_attrs/intervals/{sample_us,aggr_us,update_us}
 */

struct damon_sysfs_intervals {
	struct kobject kobj;
	unsigned long sample_us, aggr_us, update_us;
};

static_assert(offsetof(struct damon_sysfs_intervals, kobj) == 0);

static struct damon_sysfs_ul_file damon_sysfs_sample_us_file = {
	.attr = __ATTR(sample_us, 0600, damon_sysfs_ul_show,
		       damon_sysfs_ul_store),
	.offset = offsetof(struct damon_sysfs_intervals, sample_us),
};

static struct damon_sysfs_ul_file damon_sysfs_aggr_us_file = {
	.attr = __ATTR(aggr_us, 0600, damon_sysfs_ul_show,
		       damon_sysfs_ul_store),
	.offset = offsetof(struct damon_sysfs_intervals, aggr_us),
};

static struct damon_sysfs_ul_file damon_sysfs_update_us_file = {
	.attr = __ATTR(update_us, 0600, damon_sysfs_ul_show,
		       damon_sysfs_ul_store),
	.offset = offsetof(struct damon_sysfs_intervals, update_us),
};

static struct attribute *damon_sysfs_intervals_attrs[] = {
	&damon_sysfs_sample_us_file.attr.attr,
	&damon_sysfs_aggr_us_file.attr.attr,
	&damon_sysfs_update_us_file.attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(damon_sysfs_intervals);

static void damon_sysfs_intervals_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct damon_sysfs_intervals, kobj));
}

static const struct kobj_type damon_sysfs_intervals_ktype = {
	.release = damon_sysfs_intervals_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = damon_sysfs_intervals_groups,
};

/*
 * contexts/<C>/{avail_operations,operations,monitoring_attrs/,targets/,
 * schemes/}
 */

struct damon_sysfs_context {
	struct kobject kobj;
	enum damon_ops_id ops_id;
	struct kobject *attrs_dir;
	struct damon_sysfs_intervals *intervals;
	struct damon_sysfs_ul_range *nr_regions;
	struct damon_sysfs_dirs *targets;
	struct damon_sysfs_schemes *schemes;
};

static const char * const damon_sysfs_ops_names[NR_DAMON_OPS] = {
	[DAMON_OPS_VADDR] = "vaddr",
	[DAMON_OPS_FVADDR] = "fvaddr",
	[DAMON_OPS_PADDR] = "paddr",
};

static struct damon_sysfs_context *to_context(struct kobject *kobj)
{
	return container_of(kobj, struct damon_sysfs_context, kobj);
}

static ssize_t avail_operations_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	enum damon_ops_id id;
	int len = 0;

	for (id = 0; id < NR_DAMON_OPS; id++)
		if (damon_is_registered_ops(id))
			len += sysfs_emit_at(buf, len, "%s\n",
					     damon_sysfs_ops_names[id]);
	return len;
}

static ssize_t operations_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  damon_sysfs_ops_names[to_context(kobj)->ops_id]);
}

static ssize_t operations_store(struct kobject *kobj,
				struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	int id = sysfs_match_string(damon_sysfs_ops_names, buf);

	if (id < 0)
		return -EINVAL;
	to_context(kobj)->ops_id = id;
	return count;
}

static struct kobj_attribute damon_sysfs_avail_operations_attr =
	__ATTR_RO_MODE(avail_operations, 0400);
static struct kobj_attribute damon_sysfs_operations_attr =
	__ATTR_RW_MODE(operations, 0600);

static struct attribute *damon_sysfs_context_attrs[] = {
	&damon_sysfs_avail_operations_attr.attr,
	&damon_sysfs_operations_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(damon_sysfs_context);

static void damon_sysfs_context_release(struct kobject *kobj)
{
	kfree(to_context(kobj));
}

static const struct kobj_type damon_sysfs_context_ktype = {
	.release = damon_sysfs_context_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = damon_sysfs_context_groups,
};

/*
 * monitoring_attrs/: intervals/ and the nr_regions range.  The defaults are
 * the core's own (damon_new_ctx()), so a user who writes nothing gets the
 * kdamond the core would build.
 */
static int damon_sysfs_context_add_attrs(struct damon_sysfs_context *context)
{
	struct damon_sysfs_intervals *intervals;
	struct damon_sysfs_ul_range *range;
	int err = -ENOMEM;

	context->attrs_dir = kobject_create_and_add("monitoring_attrs",
						    &context->kobj);
	if (!context->attrs_dir)
		return -ENOMEM;

	intervals = kzalloc(sizeof(*intervals), GFP_KERNEL);
	if (!intervals)
		goto remove_attrs_dir;
	*intervals = (struct damon_sysfs_intervals) {
		.sample_us = 5 * USEC_PER_MSEC,
		.aggr_us = 100 * USEC_PER_MSEC,
		.update_us = 60 * USEC_PER_SEC,
	};
	err = damon_sysfs_add_named(&intervals->kobj,
				    &damon_sysfs_intervals_ktype,
				    context->attrs_dir, "intervals");
	if (err)
		goto remove_attrs_dir;

	range = damon_sysfs_ul_range_alloc(10, 1000);
	err = range ? damon_sysfs_add_named(&range->kobj,
					    &damon_sysfs_ul_range_ktype,
					    context->attrs_dir, "nr_regions") :
		      -ENOMEM;
	if (err)
		goto remove_intervals;
	context->intervals = intervals;
	context->nr_regions = range;
	return 0;

remove_intervals:
	damon_sysfs_remove_kobj(&intervals->kobj);
remove_attrs_dir:
	damon_sysfs_remove_kobj(context->attrs_dir);
	return err;
}

static void damon_sysfs_context_remove_attrs(struct damon_sysfs_context *ctx)
{
	damon_sysfs_remove_kobj(&ctx->nr_regions->kobj);
	damon_sysfs_remove_kobj(&ctx->intervals->kobj);
	damon_sysfs_remove_kobj(ctx->attrs_dir);
}

static int damon_sysfs_context_add_schemes(struct damon_sysfs_context *context)
{
	struct damon_sysfs_schemes *schemes = damon_sysfs_schemes_alloc();
	int err = -ENOMEM;

	if (schemes)
		err = damon_sysfs_add_named(&schemes->kobj,
					    &damon_sysfs_schemes_ktype,
					    &context->kobj, "schemes");
	if (!err)
		context->schemes = schemes;
	return err;
}

/*
 * The files of schemes/ change its arrays under damon_sysfs_lock, dead
 * context or not; they only try the lock, so removing them under it is safe.
 */
static void damon_sysfs_context_remove_schemes(struct damon_sysfs_schemes *s)
{
	lockdep_assert_held(&damon_sysfs_lock);
	damon_sysfs_schemes_rm_dirs(s);
	damon_sysfs_remove_kobj(&s->kobj);
}

/*
 * targets/ comes last: the files that block on damon_sysfs_lock appear
 * only once nothing can fail any more.  (Those of schemes/ only try it.)
 */
static int damon_sysfs_context_add(struct kobject *parent, int idx,
				   struct kobject **kid)
{
	struct damon_sysfs_context *context = kzalloc(sizeof(*context),
						      GFP_KERNEL);
	struct damon_sysfs_dirs *targets;
	int err;

	if (!context)
		return -ENOMEM;
	context->ops_id = DAMON_OPS_VADDR;
	err = damon_sysfs_add_numbered(&context->kobj,
				       &damon_sysfs_context_ktype, parent, idx);
	if (err)
		return err;

	err = damon_sysfs_context_add_attrs(context);
	if (err)
		goto remove_context;
	err = damon_sysfs_context_add_schemes(context);
	if (err)
		goto remove_attrs;
	targets = damon_sysfs_dirs_create(&context->kobj, "targets",
					  &damon_sysfs_targets_ops);
	if (IS_ERR(targets)) {
		err = PTR_ERR(targets);
		goto remove_schemes;
	}
	context->targets = targets;
	*kid = &context->kobj;
	return 0;

remove_schemes:
	damon_sysfs_context_remove_schemes(context->schemes);
remove_attrs:
	damon_sysfs_context_remove_attrs(context);
remove_context:
	damon_sysfs_remove_kobj(&context->kobj);
	return err;
}

static void damon_sysfs_context_kill(struct kobject *kobj)
{
	damon_sysfs_dirs_kill(to_context(kobj)->targets);
}

static void damon_sysfs_context_remove(struct kobject *kobj)
{
	struct damon_sysfs_context *context = to_context(kobj);

	mutex_lock(&damon_sysfs_lock);
	damon_sysfs_context_remove_schemes(context->schemes);
	mutex_unlock(&damon_sysfs_lock);
	damon_sysfs_dirs_destroy(context->targets);
	damon_sysfs_context_remove_attrs(context);
	damon_sysfs_remove_kobj(kobj);
}

static struct kobj_attribute damon_sysfs_nr_contexts_attr =
	__ATTR(nr_contexts, 0600, damon_sysfs_dirs_nr_show,
	       damon_sysfs_dirs_nr_store);

static struct attribute *damon_sysfs_contexts_attrs[] = {
	&damon_sysfs_nr_contexts_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(damon_sysfs_contexts);

static const struct kobj_type damon_sysfs_contexts_ktype = {
	.release = damon_sysfs_dirs_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = damon_sysfs_contexts_groups,
};

static const struct damon_sysfs_dirs_ops damon_sysfs_contexts_ops = {
	.ktype = &damon_sysfs_contexts_ktype,
	.limit = DAMON_SYSFS_MAX_CONTEXTS,
	.add = damon_sysfs_context_add,
	.kill = damon_sysfs_context_kill,
	.remove = damon_sysfs_context_remove,
};

/*
 * Building a damon_ctx from the tree, which must not change meanwhile, on a
 * context that no kdamond uses yet.  Each builder reports the first wrong
 * value it meets.
 */

static void damon_sysfs_put_target(struct damon_ctx *ctx,
				   struct damon_target *t)
{
	if (damon_target_has_pid(ctx))
		put_pid(t->pid);
	damon_destroy_target(t);
}

/* Drop the targets of @ctx, with the pid references they hold. */
static void damon_sysfs_put_targets(struct damon_ctx *ctx)
{
	struct damon_target *t, *next;

	damon_for_each_target_safe(t, next, ctx)
		damon_sysfs_put_target(ctx, t);
}

static void damon_sysfs_destroy_ctx(struct damon_ctx *ctx)
{
	damon_sysfs_put_targets(ctx);
	damon_destroy_ctx(ctx);
}

/* The initial regions must be non-empty, sorted and must not overlap. */
static int damon_sysfs_build_regions(struct damon_target *t,
				     struct damon_sysfs_dirs *regions)
{
	struct damon_addr_range *ranges;
	int i, err = 0;

	if (!regions->nr)
		return 0;
	ranges = kmalloc_array(regions->nr, sizeof(*ranges),
			       GFP_KERNEL | __GFP_NOWARN);
	if (!ranges)
		return -ENOMEM;
	for (i = 0; i < regions->nr && !err; i++) {
		struct damon_sysfs_region *region = to_region(regions->kids[i]);

		ranges[i].start = region->start;
		ranges[i].end = region->end;
		if (region->start >= region->end)
			err = -EINVAL;
		else if (i && ranges[i - 1].end > region->start)
			err = -EINVAL;
	}
	if (!err)
		err = damon_set_regions(t, ranges, regions->nr);
	kfree(ranges);
	return err;
}

/*
 * Add a target per directory.  On failure the targets added so far stay in
 * @ctx; damon_sysfs_put_targets() drops them.
 */
static int damon_sysfs_build_targets(struct damon_ctx *ctx,
				     struct damon_sysfs_dirs *targets)
{
	bool has_pid = damon_target_has_pid(ctx);
	int i, err;

	lockdep_assert_held(&damon_sysfs_lock);
	/* the physical address space is one target, whatever its regions */
	if (ctx->ops.id == DAMON_OPS_PADDR && targets->nr > 1)
		return -EINVAL;
	for (i = 0; i < targets->nr; i++) {
		struct damon_sysfs_target *st = to_target(targets->kids[i]);
		struct damon_target *t = damon_new_target();

		if (!t)
			return -ENOMEM;
		damon_add_target(ctx, t);
		if (has_pid) {
			t->pid = find_get_pid(st->pid);
			if (!t->pid)
				return -ESRCH;
		}
		err = damon_sysfs_build_regions(t, st->regions);
		if (err)
			return err;
	}
	return 0;
}

static int damon_sysfs_build_attrs(struct damon_ctx *ctx,
				   struct damon_sysfs_context *context)
{
	struct damon_attrs attrs = {
		.sample_interval = context->intervals->sample_us,
		.aggr_interval = context->intervals->aggr_us,
		.ops_update_interval = context->intervals->update_us,
		.min_nr_regions = context->nr_regions->min,
		.max_nr_regions = context->nr_regions->max,
	};

	return damon_set_attrs(ctx, &attrs);
}

/* A quota goal without a target value would divide by zero in the core. */
static int damon_sysfs_check_goals(struct damon_ctx *ctx)
{
	struct damos_quota_goal *goal;
	struct damos *scheme;

	damon_for_each_scheme(scheme, ctx)
		damos_for_each_quota_goal(goal, (&scheme->quota))
			if (!goal->target_value)
				return -EINVAL;
	return 0;
}

static struct damon_ctx *
damon_sysfs_build_ctx(struct damon_sysfs_context *context)
{
	struct damon_ctx *ctx;
	int err;

	lockdep_assert_held(&damon_sysfs_lock);
	ctx = damon_new_ctx();
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	err = damon_select_ops(ctx, context->ops_id);
	if (!err)
		err = damon_sysfs_build_attrs(ctx, context);
	if (!err)
		err = damon_sysfs_build_targets(ctx, context->targets);
	if (!err)
		err = damon_sysfs_add_schemes(ctx, context->schemes);
	if (!err)
		err = damon_sysfs_check_goals(ctx);
	if (err) {
		damon_sysfs_destroy_ctx(ctx);
		return ERR_PTR(err);
	}
	return ctx;
}

/*
 * kdamonds/<K>/{state,pid,contexts/}
 */

struct damon_sysfs_kdamond;
struct damon_sysfs_cmd;

/* Where in the kdamond loop a command is looked at. */
enum damon_sysfs_cmd_point {
	DAMON_SYSFS_AT_SAMPLING,	/* active, mid aggregation */
	DAMON_SYSFS_AT_AGGREGATION,	/* active, aggregation boundary */
	DAMON_SYSFS_AT_WMARKS,		/* deactivated by watermarks */
	DAMON_SYSFS_AT_EXIT,		/* the kdamond is terminating */
};

/* Return values of &damon_sysfs_cmd_type->step besides errors. */
#define DAMON_SYSFS_CMD_DONE	0
#define DAMON_SYSFS_CMD_AGAIN	1

/**
 * struct damon_sysfs_cmd_type - What one state command does.
 * @name:	The word written to the state file.
 * @prepare:	Runs in the writer.  For a command with @step: first, under
 *		damon_sysfs_lock, on a running kdamond with one context, and
 *		an error ends the command.  A command without @step is done
 *		by @prepare alone, which takes the locks it needs.
 * @step:	Optional: runs in the kdamond from its callbacks, under
 *		damon_sysfs_lock, until it returns DAMON_SYSFS_CMD_DONE, or an
 *		error, which also stops the kdamond.  The command's own result
 *		goes to &damon_sysfs_cmd->err.
 */
struct damon_sysfs_cmd_type {
	const char *name;
	int (*prepare)(struct damon_sysfs_kdamond *kd,
		       struct damon_sysfs_cmd *cmd);
	int (*step)(struct damon_sysfs_kdamond *kd, struct damon_sysfs_cmd *cmd,
		    struct damon_ctx *ctx, enum damon_sysfs_cmd_point at);
};

/**
 * struct damon_sysfs_cmd - A state command handed to a running kdamond.
 * @type:		The command.
 * @param:		For commit: the context to copy into the running one.
 * @taken:		The kdamond has started on it; it can no longer be
 *			withdrawn.  Under &damon_sysfs_kdamond->cmd_lock.
 * @regions_started:	A tried-regions update is collecting regions.
 * @err:		The command's result for the writer.
 * @done:		Completed by the kdamond when @err is final.
 *
 * Lives on the writer's stack until @done.
 */
struct damon_sysfs_cmd {
	const struct damon_sysfs_cmd_type *type;
	struct damon_ctx *param;
	bool taken;
	bool regions_started;
	int err;
	struct completion done;
};

/**
 * struct damon_sysfs_kdamond - One kdamond directory.
 * @kobj:	The directory.
 * @contexts:	Its contexts/ directory.
 * @cmd_mutex:	Held by a state writer from before it looks at the kdamond
 *		until the kdamond has answered, so that a second one waits;
 *		off does not take it.
 * @state_lock:	Held by on and off: @damon_ctx is replaced by on only.
 * @writers:	State writers in state_store(); under damon_sysfs_lock.
 * @dead:	Detached from the tree; under damon_sysfs_lock.
 * @tried:	The schemes/ directory whose tried regions the kdamond is
 *		updating; under damon_sysfs_lock.
 * @refresh_ms:	If not 0, the running kdamond refreshes the schemes' stats
 *		and effective quotas by itself every this many milliseconds.
 * @refreshed:	When it last did, in jiffies; the kdamond's own.
 * @ctx_lock:	Guards @damon_ctx for the state and pid readers.
 * @damon_ctx:	The context last turned on, kept after it stops so its
 *		results stay readable; replaced at the next on.
 * @cmd_lock:	Guards @cmd and @exited.
 * @cmd:	The command waiting for or being handled by the kdamond.
 * @exited:	The kdamond of @damon_ctx has passed its last callback.
 */
struct damon_sysfs_kdamond {
	struct kobject kobj;
	struct damon_sysfs_dirs *contexts;
	struct mutex cmd_mutex;		/* one state command at a time */
	struct mutex state_lock;	/* on and off */
	int writers;
	bool dead;
	struct damon_sysfs_schemes *tried;
	unsigned int refresh_ms;
	unsigned long refreshed;
	struct mutex ctx_lock;		/* @damon_ctx, for lockless readers */
	struct damon_ctx *damon_ctx;
	spinlock_t cmd_lock;		/* @cmd and @exited, kdamond vs writer */
	struct damon_sysfs_cmd *cmd;
	bool exited;
};

static struct damon_sysfs_kdamond *to_kdamond(struct kobject *kobj)
{
	return container_of(kobj, struct damon_sysfs_kdamond, kobj);
}

static bool damon_sysfs_kdamond_running(struct damon_sysfs_kdamond *kdamond)
{
	bool running;

	mutex_lock(&kdamond->ctx_lock);
	running = kdamond->damon_ctx && damon_is_running(kdamond->damon_ctx);
	mutex_unlock(&kdamond->ctx_lock);
	return running;
}

/*
 * The schemes/ directory commands work on, or NULL once the context is gone
 * (nr_contexts may change while a command waits or runs).
 */
static struct damon_sysfs_schemes *
damon_sysfs_cmd_schemes(struct damon_sysfs_kdamond *kdamond)
{
	lockdep_assert_held(&damon_sysfs_lock);
	if (kdamond->contexts->nr != 1)
		return NULL;
	return to_context(kdamond->contexts->kids[0])->schemes;
}

/*
 * Answered right after a sample, never at the aggregation that follows it
 * in the same loop, so that every answer comes after one more application
 * of the schemes than the one before.
 */
static int damon_sysfs_stats_step(struct damon_sysfs_kdamond *kd,
				  struct damon_sysfs_cmd *cmd,
				  struct damon_ctx *ctx,
				  enum damon_sysfs_cmd_point at)
{
	struct damon_sysfs_schemes *schemes = damon_sysfs_cmd_schemes(kd);

	if (at == DAMON_SYSFS_AT_AGGREGATION)
		return DAMON_SYSFS_CMD_AGAIN;
	if (schemes)
		damon_sysfs_schemes_update_stats(schemes, ctx);
	else
		cmd->err = -EINVAL;
	return DAMON_SYSFS_CMD_DONE;
}

static int damon_sysfs_quotas_step(struct damon_sysfs_kdamond *kd,
				   struct damon_sysfs_cmd *cmd,
				   struct damon_ctx *ctx,
				   enum damon_sysfs_cmd_point at)
{
	struct damon_sysfs_schemes *schemes = damon_sysfs_cmd_schemes(kd);

	if (at == DAMON_SYSFS_AT_AGGREGATION)
		return DAMON_SYSFS_CMD_AGAIN;
	if (schemes)
		damos_sysfs_update_effective_quotas(schemes, ctx);
	else
		cmd->err = -EINVAL;
	return DAMON_SYSFS_CMD_DONE;
}

/* Quota goals are checked in a throwaway context before the real commit. */
static int damon_sysfs_goals_prepare(struct damon_sysfs_kdamond *kd,
				     struct damon_sysfs_cmd *cmd)
{
	struct damon_ctx *ctx = damon_new_ctx();
	int err;

	if (!ctx)
		return -ENOMEM;
	err = damon_sysfs_add_schemes(ctx, damon_sysfs_cmd_schemes(kd));
	if (!err)
		err = damon_sysfs_check_goals(ctx);
	damon_destroy_ctx(ctx);
	return err;
}

static int damon_sysfs_goals_step(struct damon_sysfs_kdamond *kd,
				  struct damon_sysfs_cmd *cmd,
				  struct damon_ctx *ctx,
				  enum damon_sysfs_cmd_point at)
{
	struct damon_sysfs_schemes *schemes = damon_sysfs_cmd_schemes(kd);

	if (at == DAMON_SYSFS_AT_EXIT)
		cmd->err = -ESRCH;
	else if (!schemes)
		cmd->err = -EINVAL;
	else
		cmd->err = damos_sysfs_set_quota_scores(schemes, ctx);
	return DAMON_SYSFS_CMD_DONE;
}

static int damon_sysfs_commit_prepare(struct damon_sysfs_kdamond *kd,
				      struct damon_sysfs_cmd *cmd)
{
	struct damon_ctx *param;

	param = damon_sysfs_build_ctx(to_context(kd->contexts->kids[0]));
	if (IS_ERR(param))
		return PTR_ERR(param);
	cmd->param = param;
	return 0;
}

/*
 * New sampling or aggregation intervals make the core rescale the access
 * counts, which is exact only at an aggregation boundary: such a commit
 * waits for one.  Any other commit is taken right after a sample, never at
 * an aggregation: committing restarts the schemes' apply intervals, which
 * there would cost the application that follows in the same loop.  A
 * failed commit stops the kdamond: its context may be half updated.
 */
static int damon_sysfs_commit_step(struct damon_sysfs_kdamond *kd,
				   struct damon_sysfs_cmd *cmd,
				   struct damon_ctx *ctx,
				   enum damon_sysfs_cmd_point at)
{
	struct damon_ctx *param = cmd->param;
	bool new_intervals;

	if (at == DAMON_SYSFS_AT_EXIT) {
		cmd->err = -ESRCH;
		return DAMON_SYSFS_CMD_DONE;
	}
	new_intervals =
		ctx->attrs.sample_interval != param->attrs.sample_interval ||
		ctx->attrs.aggr_interval != param->attrs.aggr_interval;
	if ((at == DAMON_SYSFS_AT_SAMPLING && new_intervals) ||
	    (at == DAMON_SYSFS_AT_AGGREGATION && !new_intervals))
		return DAMON_SYSFS_CMD_AGAIN;
	cmd->err = damon_commit_ctx(ctx, param);
	return cmd->err;
}

/*
 * The schemes' tried-regions helpers keep the update they serve in globals:
 * one kdamond at a time uses them, the others wait for their turn in their
 * step.  Both are under damon_sysfs_lock.
 */
static struct damon_sysfs_kdamond *damon_sysfs_tried_owner;
static int (*damon_sysfs_tried_apply)(struct damon_ctx *ctx,
				      struct damon_target *t,
				      struct damon_region *r, struct damos *s);

/*
 * Wraps the helpers' before_damos_apply callback, which adds a directory per
 * region to the tree: it runs under damon_sysfs_lock, and only while the
 * schemes/ directory it fills is still in the tree.
 */
static int damon_sysfs_before_damos_apply(struct damon_ctx *ctx,
					  struct damon_target *t,
					  struct damon_region *r,
					  struct damos *s)
{
	struct damon_sysfs_kdamond *kd = ctx->callback.private;
	int ret = 0;

	mutex_lock(&damon_sysfs_lock);
	if (kd->tried && damon_sysfs_cmd_schemes(kd) == kd->tried)
		ret = damon_sysfs_tried_apply(ctx, t, r, s);
	mutex_unlock(&damon_sysfs_lock);
	return ret;
}

static int damon_sysfs_tried_start(struct damon_sysfs_kdamond *kd,
				   struct damon_sysfs_schemes *schemes,
				   struct damon_ctx *ctx, bool bytes_only)
{
	int err;

	lockdep_assert_held(&damon_sysfs_lock);
	err = damon_sysfs_schemes_update_regions_start(schemes, ctx,
						       bytes_only);
	if (err)
		return err;
	damon_sysfs_tried_owner = kd;
	kd->tried = schemes;
	damon_sysfs_tried_apply = ctx->callback.before_damos_apply;
	ctx->callback.before_damos_apply = damon_sysfs_before_damos_apply;
	return 0;
}

static int damon_sysfs_tried_stop(struct damon_sysfs_kdamond *kd,
				  struct damon_ctx *ctx)
{
	lockdep_assert_held(&damon_sysfs_lock);
	damon_sysfs_tried_owner = NULL;
	kd->tried = NULL;
	return damon_sysfs_schemes_update_regions_stop(ctx);
}

/* Collect tried regions over one whole round of scheme application. */
static int damon_sysfs_tried_step(struct damon_sysfs_kdamond *kd,
				  struct damon_sysfs_cmd *cmd,
				  struct damon_ctx *ctx,
				  enum damon_sysfs_cmd_point at, bool bytes_only)
{
	bool active = at == DAMON_SYSFS_AT_SAMPLING ||
		      at == DAMON_SYSFS_AT_AGGREGATION;
	struct damon_sysfs_schemes *schemes = damon_sysfs_cmd_schemes(kd);
	int err;

	if (!cmd->regions_started) {
		/* a terminating kdamond applies no scheme any more */
		if (at == DAMON_SYSFS_AT_EXIT)
			return DAMON_SYSFS_CMD_DONE;
		if (!schemes) {
			cmd->err = -EINVAL;
			return DAMON_SYSFS_CMD_DONE;
		}
		if (damon_sysfs_tried_owner)
			return DAMON_SYSFS_CMD_AGAIN;
		err = damon_sysfs_tried_start(kd, schemes, ctx, bytes_only);
		if (err) {
			cmd->err = err;
			return DAMON_SYSFS_CMD_DONE;
		}
		cmd->regions_started = true;
		if (active)
			return DAMON_SYSFS_CMD_AGAIN;
	} else if (schemes != kd->tried) {
		/* the directory went away with its context */
		cmd->err = -EINVAL;
	} else {
		damos_sysfs_mark_finished_regions_updates(ctx);
		if (active && !damos_sysfs_regions_upd_done())
			return DAMON_SYSFS_CMD_AGAIN;
	}
	err = damon_sysfs_tried_stop(kd, ctx);
	if (!cmd->err)
		cmd->err = err;
	return DAMON_SYSFS_CMD_DONE;
}

static int damon_sysfs_tried_bytes_step(struct damon_sysfs_kdamond *kd,
					struct damon_sysfs_cmd *cmd,
					struct damon_ctx *ctx,
					enum damon_sysfs_cmd_point at)
{
	return damon_sysfs_tried_step(kd, cmd, ctx, at, true);
}

static int damon_sysfs_tried_regions_step(struct damon_sysfs_kdamond *kd,
					  struct damon_sysfs_cmd *cmd,
					  struct damon_ctx *ctx,
					  enum damon_sysfs_cmd_point at)
{
	return damon_sysfs_tried_step(kd, cmd, ctx, at, false);
}

/* Take the posted command, if any, out of reach of a withdrawing writer. */
static struct damon_sysfs_cmd *
damon_sysfs_take_cmd(struct damon_sysfs_kdamond *kd, bool exiting)
{
	struct damon_sysfs_cmd *cmd;

	spin_lock(&kd->cmd_lock);
	cmd = kd->cmd;
	if (cmd)
		cmd->taken = true;
	if (exiting)
		kd->exited = true;
	spin_unlock(&kd->cmd_lock);
	return cmd;
}

static int damon_sysfs_step_cmd(struct damon_sysfs_kdamond *kd,
				struct damon_sysfs_cmd *cmd,
				struct damon_ctx *ctx,
				enum damon_sysfs_cmd_point at)
{
	int ret;

	mutex_lock(&damon_sysfs_lock);
	ret = cmd->type->step(kd, cmd, ctx, at);
	mutex_unlock(&damon_sysfs_lock);
	return ret;
}

static void damon_sysfs_finish_cmd(struct damon_sysfs_kdamond *kd,
				   struct damon_sysfs_cmd *cmd)
{
	spin_lock(&kd->cmd_lock);
	WRITE_ONCE(kd->cmd, NULL);
	spin_unlock(&kd->cmd_lock);
	/* the writer may return, and @cmd vanish, from here on */
	complete(&cmd->done);
}

/*
 * Runs in the kdamond; a negative return stops it.  damon_sysfs_lock is
 * taken only while a command is there: no holder of it ever waits for a
 * kdamond.
 */
static int damon_sysfs_handle_cmd(struct damon_ctx *ctx,
				  enum damon_sysfs_cmd_point at)
{
	struct damon_sysfs_kdamond *kd = ctx->callback.private;
	struct damon_sysfs_cmd *cmd;
	int ret;

	if (!READ_ONCE(kd->cmd))
		return 0;
	cmd = damon_sysfs_take_cmd(kd, false);
	if (!cmd)
		return 0;
	ret = damon_sysfs_step_cmd(kd, cmd, ctx, at);
	if (ret == DAMON_SYSFS_CMD_AGAIN)
		return 0;
	damon_sysfs_finish_cmd(kd, cmd);
	return ret;
}

/*
 * What update_schemes_stats and update_schemes_effective_quotas do, every
 * refresh_ms.  As a command's step, it finds the schemes/ directory afresh
 * under damon_sysfs_lock, so no nr_* write can free what it updates, and
 * holds the lock only for the copy, so no writer waits for long.
 */
static void damon_sysfs_refresh(struct damon_ctx *ctx)
{
	struct damon_sysfs_kdamond *kd = ctx->callback.private;
	unsigned int ms = READ_ONCE(kd->refresh_ms);
	struct damon_sysfs_schemes *schemes;

	if (!ms || time_before(jiffies, kd->refreshed + msecs_to_jiffies(ms)))
		return;
	kd->refreshed = jiffies;
	mutex_lock(&damon_sysfs_lock);
	schemes = damon_sysfs_cmd_schemes(kd);
	if (schemes) {
		damon_sysfs_schemes_update_stats(schemes, ctx);
		damos_sysfs_update_effective_quotas(schemes, ctx);
	}
	mutex_unlock(&damon_sysfs_lock);
}

static int damon_sysfs_after_wmarks_check(struct damon_ctx *ctx)
{
	damon_sysfs_refresh(ctx);
	return damon_sysfs_handle_cmd(ctx, DAMON_SYSFS_AT_WMARKS);
}

static int damon_sysfs_after_sampling(struct damon_ctx *ctx)
{
	damon_sysfs_refresh(ctx);
	return damon_sysfs_handle_cmd(ctx, DAMON_SYSFS_AT_SAMPLING);
}

static int damon_sysfs_after_aggregation(struct damon_ctx *ctx)
{
	return damon_sysfs_handle_cmd(ctx, DAMON_SYSFS_AT_AGGREGATION);
}

/*
 * The last callback: answer a pending command from the final state, so
 * none is left behind (and none can be posted after it, see @exited), then
 * let go of the target processes.
 */
static void damon_sysfs_before_terminate(struct damon_ctx *ctx)
{
	struct damon_sysfs_kdamond *kd = ctx->callback.private;
	struct damon_sysfs_cmd *cmd = damon_sysfs_take_cmd(kd, true);

	if (cmd) {
		damon_sysfs_step_cmd(kd, cmd, ctx, DAMON_SYSFS_AT_EXIT);
		damon_sysfs_finish_cmd(kd, cmd);
	}
	if (!damon_target_has_pid(ctx))
		return;
	mutex_lock(&ctx->kdamond_lock);
	damon_sysfs_put_targets(ctx);
	mutex_unlock(&ctx->kdamond_lock);
}

/*
 * Post @cmd to the running kdamond and wait for its answer.  A kdamond past
 * its last callback gets none.  A fatal signal withdraws a command the
 * kdamond has not started on; one it has started is waited for, which
 * takes at most two apply intervals.
 */
static int damon_sysfs_run_cmd(struct damon_sysfs_kdamond *kd,
			       struct damon_sysfs_cmd *cmd)
{
	int err = 0;

	init_completion(&cmd->done);
	spin_lock(&kd->cmd_lock);
	if (kd->exited)
		err = -EINVAL;
	else
		WRITE_ONCE(kd->cmd, cmd);
	spin_unlock(&kd->cmd_lock);
	if (err)
		return err;

	if (wait_for_completion_killable(&cmd->done)) {
		spin_lock(&kd->cmd_lock);
		if (!cmd->taken) {
			WRITE_ONCE(kd->cmd, NULL);
			err = -EINTR;
		}
		spin_unlock(&kd->cmd_lock);
		if (err)
			return err;
		wait_for_completion(&cmd->done);
	}
	return cmd->err;
}

/* Only the tree changes: the kdamond reads it only during commands. */
static int damon_sysfs_clear_prepare(struct damon_sysfs_kdamond *kd,
				     struct damon_sysfs_cmd *cmd)
{
	struct damon_sysfs_schemes *schemes;
	int err = mutex_lock_killable(&kd->cmd_mutex);

	if (err)
		return err;
	err = mutex_lock_killable(&damon_sysfs_lock);
	if (err)
		goto unlock_cmd;
	schemes = damon_sysfs_cmd_schemes(kd);
	if (!damon_sysfs_kdamond_running(kd) || !schemes)
		err = -EINVAL;
	else
		err = damon_sysfs_schemes_clear_regions(schemes, kd->damon_ctx);
	mutex_unlock(&damon_sysfs_lock);
unlock_cmd:
	mutex_unlock(&kd->cmd_mutex);
	return err;
}

/* Build the context to start from the tree. */
static struct damon_ctx *damon_sysfs_on_ctx(struct damon_sysfs_kdamond *kd)
{
	struct damon_ctx *ctx;
	int err = mutex_lock_killable(&damon_sysfs_lock);

	if (err)
		return ERR_PTR(err);
	if (kd->contexts->nr != 1)
		ctx = ERR_PTR(-EINVAL);
	else if (damon_sysfs_kdamond_running(kd))
		ctx = ERR_PTR(-EBUSY);
	else
		ctx = damon_sysfs_build_ctx(to_context(kd->contexts->kids[0]));
	mutex_unlock(&damon_sysfs_lock);
	return ctx;
}

static int damon_sysfs_start(struct damon_sysfs_kdamond *kd)
{
	struct damon_ctx *ctx, *old;
	int err;

	lockdep_assert_held(&kd->cmd_mutex);
	lockdep_assert_held(&kd->state_lock);
	ctx = damon_sysfs_on_ctx(kd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ctx->callback.private = kd;
	ctx->callback.after_wmarks_check = damon_sysfs_after_wmarks_check;
	ctx->callback.after_sampling = damon_sysfs_after_sampling;
	ctx->callback.after_aggregation = damon_sysfs_after_aggregation;
	ctx->callback.before_terminate = damon_sysfs_before_terminate;

	spin_lock(&kd->cmd_lock);
	kd->exited = false;
	spin_unlock(&kd->cmd_lock);
	kd->refreshed = jiffies;
	err = damon_start(&ctx, 1, false);
	if (err) {
		damon_sysfs_destroy_ctx(ctx);
		return err;
	}
	mutex_lock(&kd->ctx_lock);
	old = kd->damon_ctx;
	kd->damon_ctx = ctx;
	mutex_unlock(&kd->ctx_lock);
	if (old)
		damon_destroy_ctx(old);
	return 0;
}

static int damon_sysfs_turn_on(struct damon_sysfs_kdamond *kd,
			       struct damon_sysfs_cmd *cmd)
{
	int err = mutex_lock_killable(&kd->cmd_mutex);

	if (err)
		return err;
	err = mutex_lock_killable(&kd->state_lock);
	if (!err) {
		err = damon_sysfs_start(kd);
		mutex_unlock(&kd->state_lock);
	}
	mutex_unlock(&kd->cmd_mutex);
	return err;
}

/*
 * Off does not wait for the commands: the kdamond answers the one it has
 * before it ends, and those waiting then find it stopped.
 */
static int damon_sysfs_turn_off(struct damon_sysfs_kdamond *kd,
				struct damon_sysfs_cmd *cmd)
{
	int err = mutex_lock_killable(&kd->state_lock);

	if (err)
		return err;
	if (!kd->damon_ctx)
		err = -EINVAL;
	else
		err = damon_stop(&kd->damon_ctx, 1);
	mutex_unlock(&kd->state_lock);
	return err;
}

/*
 * Every state command.  -EINVAL for a word not here tells damo that a
 * command is not supported.
 */
static const struct damon_sysfs_cmd_type damon_sysfs_cmd_types[] = {
	{ "on", damon_sysfs_turn_on, NULL },
	{ "off", damon_sysfs_turn_off, NULL },
	{ "commit", damon_sysfs_commit_prepare, damon_sysfs_commit_step },
	{ "commit_schemes_quota_goals", damon_sysfs_goals_prepare,
	  damon_sysfs_goals_step },
	{ "update_schemes_stats", NULL, damon_sysfs_stats_step },
	{ "update_schemes_tried_bytes", NULL, damon_sysfs_tried_bytes_step },
	{ "update_schemes_tried_regions", NULL,
	  damon_sysfs_tried_regions_step },
	{ "clear_schemes_tried_regions", damon_sysfs_clear_prepare, NULL },
	{ "update_schemes_effective_quotas", NULL, damon_sysfs_quotas_step },
};

static const struct damon_sysfs_cmd_type *damon_sysfs_parse_cmd(const char *buf)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(damon_sysfs_cmd_types); i++)
		if (sysfs_streq(buf, damon_sysfs_cmd_types[i].name))
			return &damon_sysfs_cmd_types[i];
	return NULL;
}

/* Check and prepare @cmd, under damon_sysfs_lock for the tree. */
static int damon_sysfs_prepare_cmd(struct damon_sysfs_kdamond *kd,
				   struct damon_sysfs_cmd *cmd)
{
	int err = mutex_lock_killable(&damon_sysfs_lock);

	if (err)
		return err;
	if (!damon_sysfs_kdamond_running(kd) || kd->contexts->nr != 1)
		err = -EINVAL;
	else if (cmd->type->prepare)
		err = cmd->type->prepare(kd, cmd);
	mutex_unlock(&damon_sysfs_lock);
	return err;
}

static int damon_sysfs_send_cmd(struct damon_sysfs_kdamond *kd,
				const struct damon_sysfs_cmd_type *type)
{
	struct damon_sysfs_cmd cmd = { .type = type };
	int err = mutex_lock_killable(&kd->cmd_mutex);

	if (err)
		return err;
	err = damon_sysfs_prepare_cmd(kd, &cmd);
	if (!err)
		err = damon_sysfs_run_cmd(kd, &cmd);
	mutex_unlock(&kd->cmd_mutex);
	if (cmd.param)
		damon_sysfs_destroy_ctx(cmd.param);
	return err;
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	bool on = damon_sysfs_kdamond_running(to_kdamond(kobj));

	return sysfs_emit(buf, "%s\n", on ? "on" : "off");
}

/*
 * Count the writer in, so nr_kdamonds keeps the directory while it works,
 * unless the directory is already on its way out.
 */
static int damon_sysfs_writer_enter(struct damon_sysfs_kdamond *kd)
{
	int err = mutex_lock_killable(&damon_sysfs_lock);

	if (err)
		return err;
	if (kd->dead)
		err = -ENOENT;
	else
		kd->writers++;
	mutex_unlock(&damon_sysfs_lock);
	return err;
}

static void damon_sysfs_writer_exit(struct damon_sysfs_kdamond *kd)
{
	mutex_lock(&damon_sysfs_lock);
	kd->writers--;
	mutex_unlock(&damon_sysfs_lock);
}

static ssize_t state_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	const struct damon_sysfs_cmd_type *type = damon_sysfs_parse_cmd(buf);
	struct damon_sysfs_kdamond *kd = to_kdamond(kobj);
	int err;

	if (!type)
		return -EINVAL;
	err = damon_sysfs_writer_enter(kd);
	if (err)
		return err;
	if (type->step)
		err = damon_sysfs_send_cmd(kd, type);
	else
		err = type->prepare(kd, NULL);
	damon_sysfs_writer_exit(kd);
	return err ? err : count;
}

static ssize_t pid_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	struct damon_sysfs_kdamond *kd = to_kdamond(kobj);
	int pid = -1;

	mutex_lock(&kd->ctx_lock);
	if (kd->damon_ctx)
		pid = damon_kdamond_pid(kd->damon_ctx);
	mutex_unlock(&kd->ctx_lock);
	return sysfs_emit(buf, "%d\n", pid < 0 ? -1 : pid);
}

static ssize_t refresh_ms_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_kdamond(kobj)->refresh_ms));
}

static ssize_t refresh_ms_store(struct kobject *kobj,
				struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	unsigned int ms;
	int err = kstrtouint(buf, 0, &ms);

	if (err)
		return err;
	WRITE_ONCE(to_kdamond(kobj)->refresh_ms, ms);
	return count;
}

static struct kobj_attribute damon_sysfs_state_attr =
	__ATTR_RW_MODE(state, 0600);
static struct kobj_attribute damon_sysfs_pid_attr =
	__ATTR_RO_MODE(pid, 0400);
static struct kobj_attribute damon_sysfs_refresh_ms_attr =
	__ATTR_RW_MODE(refresh_ms, 0600);

static struct attribute *damon_sysfs_kdamond_attrs[] = {
	&damon_sysfs_state_attr.attr,
	&damon_sysfs_pid_attr.attr,
	&damon_sysfs_refresh_ms_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(damon_sysfs_kdamond);

/* Removal is refused while running, so the context here is a stopped one. */
static void damon_sysfs_kdamond_release(struct kobject *kobj)
{
	struct damon_sysfs_kdamond *kd = to_kdamond(kobj);

	if (kd->damon_ctx)
		damon_destroy_ctx(kd->damon_ctx);
	mutex_destroy(&kd->ctx_lock);
	mutex_destroy(&kd->state_lock);
	mutex_destroy(&kd->cmd_mutex);
	kfree(kd);
}

static const struct kobj_type damon_sysfs_kdamond_ktype = {
	.release = damon_sysfs_kdamond_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = damon_sysfs_kdamond_groups,
};

/*
 * The state file blocks on damon_sysfs_lock, and exists as soon as the
 * directory does: a kdamond whose contexts/ cannot be made is handed back
 * half built, to be removed after the lock is released.
 */
static int damon_sysfs_kdamond_add(struct kobject *parent, int idx,
				   struct kobject **kid)
{
	struct damon_sysfs_kdamond *kd = kzalloc(sizeof(*kd), GFP_KERNEL);
	struct damon_sysfs_dirs *contexts;
	int err;

	if (!kd)
		return -ENOMEM;
	mutex_init(&kd->cmd_mutex);
	mutex_init(&kd->state_lock);
	mutex_init(&kd->ctx_lock);
	spin_lock_init(&kd->cmd_lock);
	err = damon_sysfs_add_numbered(&kd->kobj, &damon_sysfs_kdamond_ktype,
				       parent, idx);
	if (err)
		return err;
	*kid = &kd->kobj;
	contexts = damon_sysfs_dirs_create(&kd->kobj, "contexts",
					   &damon_sysfs_contexts_ops);
	if (IS_ERR(contexts))
		return PTR_ERR(contexts);
	kd->contexts = contexts;
	return 0;
}

static void damon_sysfs_kdamond_kill(struct kobject *kobj)
{
	struct damon_sysfs_kdamond *kd = to_kdamond(kobj);

	kd->dead = true;
	if (kd->contexts)
		damon_sysfs_dirs_kill(kd->contexts);
}

static void damon_sysfs_kdamond_remove(struct kobject *kobj)
{
	struct damon_sysfs_kdamond *kd = to_kdamond(kobj);

	if (kd->contexts)
		damon_sysfs_dirs_destroy(kd->contexts);
	damon_sysfs_remove_kobj(kobj);
}

/*
 * Every kdamond directory stays while any kdamond runs or has a state
 * writer at work.
 */
static bool damon_sysfs_kdamonds_busy(struct damon_sysfs_dirs *kdamonds)
{
	struct damon_sysfs_kdamond *kd;
	int i;

	lockdep_assert_held(&damon_sysfs_lock);
	for (i = 0; i < kdamonds->nr; i++) {
		kd = to_kdamond(kdamonds->kids[i]);
		if (kd->writers || damon_sysfs_kdamond_running(kd))
			return true;
	}
	return false;
}

static struct kobj_attribute damon_sysfs_nr_kdamonds_attr =
	__ATTR(nr_kdamonds, 0600, damon_sysfs_dirs_nr_show,
	       damon_sysfs_dirs_nr_store);

static struct attribute *damon_sysfs_kdamonds_attrs[] = {
	&damon_sysfs_nr_kdamonds_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(damon_sysfs_kdamonds);

static const struct kobj_type damon_sysfs_kdamonds_ktype = {
	.release = damon_sysfs_dirs_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = damon_sysfs_kdamonds_groups,
};

static const struct damon_sysfs_dirs_ops damon_sysfs_kdamonds_ops = {
	.ktype = &damon_sysfs_kdamonds_ktype,
	.limit = DAMON_SYSFS_MAX_KDAMONDS,
	.add = damon_sysfs_kdamond_add,
	.kill = damon_sysfs_kdamond_kill,
	.remove = damon_sysfs_kdamond_remove,
	.busy = damon_sysfs_kdamonds_busy,
};

static int __init damon_sysfs_init(void)
{
	struct kobject *root, *admin;
	struct damon_sysfs_dirs *kdamonds;

	root = kobject_create_and_add("damon", mm_kobj);
	if (!root)
		return -ENOMEM;
	admin = kobject_create_and_add("admin", root);
	if (!admin)
		goto put_root;
	kdamonds = damon_sysfs_dirs_create(admin, "kdamonds",
					   &damon_sysfs_kdamonds_ops);
	if (IS_ERR(kdamonds))
		goto put_admin;
	return 0;

put_admin:
	kobject_put(admin);
put_root:
	kobject_put(root);
	return -ENOMEM;
}
subsys_initcall(damon_sysfs_init);

#include "tests/sysfs-kunit.h"
