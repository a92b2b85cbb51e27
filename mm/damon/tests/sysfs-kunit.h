/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the DAMON sysfs interface's internals.
 *
 * What the tests cover: the numbered-directory resize (growth that fails
 * half way must leave the old children alone), and the builders that turn
 * the tree into a damon_ctx (regions, targets, quota goals, the whole
 * context), each fed with the wrong value the builder must refuse; the
 * command slot against the two ways a command got lost upstream (left for a
 * kdamond that is not running, posted while the kdamond shuts down).  The
 * sysfs objects are built in memory without registering them: the builders
 * only read their fields.  The files themselves are tested from userspace
 * by tools/testing/selftests/damon.
 */

#ifdef CONFIG_DAMON_SYSFS_KUNIT_TEST

#ifndef _DAMON_SYSFS_TEST_H
#define _DAMON_SYSFS_TEST_H

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>

#define DAMON_SYSFS_TEST_KIDS	8

static struct kobject damon_sysfs_test_kids[DAMON_SYSFS_TEST_KIDS];
static int damon_sysfs_test_fail_at;
static int damon_sysfs_test_live;

static int damon_sysfs_test_killed;

static int damon_sysfs_test_add(struct kobject *parent, int idx,
				struct kobject **kid)
{
	if (idx == damon_sysfs_test_fail_at)
		return -ENOMEM;
	damon_sysfs_test_live++;
	*kid = &damon_sysfs_test_kids[idx];
	return 0;
}

static void damon_sysfs_test_kill(struct kobject *kid)
{
	damon_sysfs_test_killed++;
}

static void damon_sysfs_test_remove(struct kobject *kid)
{
	damon_sysfs_test_live--;
}

static const struct damon_sysfs_dirs_ops damon_sysfs_test_ops = {
	.limit = DAMON_SYSFS_TEST_KIDS,
	.add = damon_sysfs_test_add,
	.kill = damon_sysfs_test_kill,
	.remove = damon_sysfs_test_remove,
};

/*
 * The builders and the resize run under damon_sysfs_lock, as from sysfs.
 * What a resize detaches is killed under the lock, removed after it.
 */
static int damon_sysfs_test_do_resize(struct damon_sysfs_dirs *dirs, int nr)
{
	struct damon_sysfs_gone gone = {};
	int err, live;

	mutex_lock(&damon_sysfs_lock);
	damon_sysfs_test_killed = 0;
	live = damon_sysfs_test_live;
	err = damon_sysfs_dirs_resize(dirs, nr, &gone);
	/* nothing detached is removed under the lock */
	if (damon_sysfs_test_live < live)
		err = -EDEADLK;
	if (damon_sysfs_test_killed != gone.nr)
		err = -EUCLEAN;
	mutex_unlock(&damon_sysfs_lock);
	damon_sysfs_gone_remove(&gone);
	return err;
}

static struct damon_ctx *
damon_sysfs_test_do_build(struct damon_sysfs_context *context)
{
	struct damon_ctx *ctx;

	mutex_lock(&damon_sysfs_lock);
	ctx = damon_sysfs_build_ctx(context);
	mutex_unlock(&damon_sysfs_lock);
	return ctx;
}

static void damon_sysfs_test_resize(struct kunit *test)
{
	struct damon_sysfs_dirs dirs = { .ops = &damon_sysfs_test_ops };
	int i;

	damon_sysfs_test_fail_at = -1;
	damon_sysfs_test_live = 0;
	KUNIT_ASSERT_EQ(test, damon_sysfs_test_do_resize(&dirs, 3), 0);
	KUNIT_EXPECT_EQ(test, dirs.nr, 3);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_live, 3);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_PTR_EQ(test, dirs.kids[i],
				    &damon_sysfs_test_kids[i]);

	/* growth failing at child 5 keeps children 0-2, removes 3-4 */
	damon_sysfs_test_fail_at = 5;
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_do_resize(&dirs, 7), -ENOMEM);
	KUNIT_EXPECT_EQ(test, dirs.nr, 3);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_live, 3);
	KUNIT_EXPECT_PTR_EQ(test, dirs.kids[2], &damon_sysfs_test_kids[2]);

	damon_sysfs_test_fail_at = -1;
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_do_resize(&dirs, 1), 0);
	KUNIT_EXPECT_EQ(test, dirs.nr, 1);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_live, 1);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_do_resize(&dirs, 0), 0);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_live, 0);
	KUNIT_EXPECT_NULL(test, dirs.kids);
}

/* An unregistered regions directory holding @n [start, end) pairs. */
static struct damon_sysfs_dirs *
damon_sysfs_test_regions(struct kunit *test, const unsigned long (*ranges)[2],
			 int n)
{
	struct damon_sysfs_dirs *dirs = kunit_kzalloc(test, sizeof(*dirs),
						      GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, dirs);
	dirs->kids = kunit_kcalloc(test, n ? n : 1, sizeof(*dirs->kids),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dirs->kids);
	for (i = 0; i < n; i++) {
		struct damon_sysfs_region *r = kunit_kzalloc(test, sizeof(*r),
							     GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, r);
		r->start = ranges[i][0];
		r->end = ranges[i][1];
		dirs->kids[i] = &r->kobj;
	}
	dirs->nr = n;
	return dirs;
}

static int damon_sysfs_test_try_regions(struct kunit *test,
					struct damon_target *t,
					const unsigned long (*ranges)[2],
					int n)
{
	return damon_sysfs_build_regions(t,
			damon_sysfs_test_regions(test, ranges, n));
}

static unsigned int damon_sysfs_test_nr_regions(struct damon_target *t)
{
	struct damon_region *r;
	unsigned int nr = 0;

	damon_for_each_region(r, t)
		nr++;
	return nr;
}

static void damon_sysfs_test_build_regions(struct kunit *test)
{
	static const unsigned long good[][2] = {
		{ 0x1000, 0x3000 }, { 0x3000, 0x8000 }, { 0x10000, 0x20000 },
	};
	static const unsigned long unsorted[][2] = {
		{ 0x10000, 0x20000 }, { 0x1000, 0x3000 },
	};
	static const unsigned long overlapping[][2] = {
		{ 0x1000, 0x5000 }, { 0x4000, 0x8000 },
	};
	static const unsigned long empty[][2] = { { 0x4000, 0x4000 } };
	static const unsigned long reversed[][2] = { { 0x8000, 0x4000 } };
	struct damon_target *t = damon_new_target();
	struct damon_region *r;
	int i = 0;

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_try_regions(test, t, good, 3),
			0);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_nr_regions(t), 3u);
	damon_for_each_region(r, t) {
		KUNIT_EXPECT_EQ(test, r->ar.start, good[i][0]);
		KUNIT_EXPECT_EQ(test, r->ar.end, good[i][1]);
		i++;
	}
	damon_free_target(t);

	t = damon_new_target();
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_try_regions(test, t, unsorted, 2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_try_regions(test, t, overlapping, 2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_try_regions(test, t, empty, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_try_regions(test, t, reversed, 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_nr_regions(t), 0u);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_try_regions(test, t, NULL, 0),
			0);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_nr_regions(t), 0u);
	damon_free_target(t);
}

/* An unregistered targets directory: target i watches @pids[i]. */
static struct damon_sysfs_dirs *
damon_sysfs_test_targets(struct kunit *test, const int *pids, int n,
			 const unsigned long (*ranges)[2], int nr_ranges)
{
	struct damon_sysfs_dirs *dirs = kunit_kzalloc(test, sizeof(*dirs),
						      GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, dirs);
	dirs->kids = kunit_kcalloc(test, n ? n : 1, sizeof(*dirs->kids),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dirs->kids);
	for (i = 0; i < n; i++) {
		struct damon_sysfs_target *st = kunit_kzalloc(test,
				sizeof(*st), GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, st);
		st->pid = pids[i];
		st->regions = damon_sysfs_test_regions(test, ranges,
						       nr_ranges);
		dirs->kids[i] = &st->kobj;
	}
	dirs->nr = n;
	return dirs;
}

static int damon_sysfs_test_try_targets(struct kunit *test,
					struct damon_ctx *ctx, const int *pids,
					int n, const unsigned long (*ranges)[2])
{
	struct damon_sysfs_dirs *targets =
		damon_sysfs_test_targets(test, pids, n, ranges, 1);
	int err;

	mutex_lock(&damon_sysfs_lock);
	err = damon_sysfs_build_targets(ctx, targets);
	mutex_unlock(&damon_sysfs_lock);
	return err;
}

static unsigned int damon_sysfs_test_nr_targets(struct damon_ctx *ctx)
{
	struct damon_target *t;
	unsigned int nr = 0;

	damon_for_each_target(t, ctx)
		nr++;
	return nr;
}

static struct damon_ctx *damon_sysfs_test_ctx(struct kunit *test,
					      enum damon_ops_id id)
{
	struct damon_ctx *ctx = damon_new_ctx();

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	if (damon_select_ops(ctx, id)) {
		damon_destroy_ctx(ctx);
		kunit_skip(test, "operations set %s is not built in",
			   damon_sysfs_ops_names[id]);
	}
	return ctx;
}

static void damon_sysfs_test_build_targets(struct kunit *test)
{
	static const unsigned long ranges[][2] = { { 0x1000, 0x9000 } };
	int self = task_pid_nr(current);
	int pids[2] = { self, self };
	struct damon_ctx *ctx;
	struct damon_target *t;
	struct pid *me = get_task_pid(current, PIDTYPE_PID);
	unsigned int refs = refcount_read(&me->count);

	ctx = damon_sysfs_test_ctx(test, DAMON_OPS_VADDR);
	KUNIT_EXPECT_EQ(test,
			damon_sysfs_test_try_targets(test, ctx, pids, 2, ranges),
			0);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_nr_targets(ctx), 2u);
	damon_for_each_target(t, ctx) {
		KUNIT_EXPECT_PTR_EQ(test, t->pid, me);
		KUNIT_EXPECT_EQ(test, damon_sysfs_test_nr_regions(t), 1u);
	}
	damon_sysfs_destroy_ctx(ctx);

	/* a pid nobody has: the error says so, nothing stays referenced */
	pids[1] = PID_MAX_LIMIT + 1;
	ctx = damon_sysfs_test_ctx(test, DAMON_OPS_VADDR);
	KUNIT_EXPECT_EQ(test,
			damon_sysfs_test_try_targets(test, ctx, pids, 2, ranges),
			-ESRCH);
	damon_sysfs_destroy_ctx(ctx);

	/* the physical address space is a single target */
	ctx = damon_sysfs_test_ctx(test, DAMON_OPS_PADDR);
	KUNIT_EXPECT_EQ(test,
			damon_sysfs_test_try_targets(test, ctx, pids, 2, ranges),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_nr_targets(ctx), 0u);
	KUNIT_EXPECT_EQ(test,
			damon_sysfs_test_try_targets(test, ctx, pids, 1, ranges),
			0);
	KUNIT_EXPECT_EQ(test, damon_sysfs_test_nr_targets(ctx), 1u);
	damon_sysfs_destroy_ctx(ctx);

	/*
	 * Every reference the builds took went back. Another holder of this
	 * thread's pid may have let go meanwhile, so only a rise is a leak.
	 */
	KUNIT_EXPECT_LE(test, refcount_read(&me->count), refs);
	put_pid(me);
}

static void damon_sysfs_test_build_ctx(struct kunit *test)
{
	struct damon_sysfs_intervals intervals = {
		.sample_us = 1000, .aggr_us = 20000, .update_us = 500000,
	};
	struct damon_sysfs_ul_range range = { .min = 5, .max = 50 };
	struct damon_sysfs_context context = {
		.ops_id = DAMON_OPS_PADDR,
		.intervals = &intervals,
		.nr_regions = &range,
		.targets = damon_sysfs_test_targets(test, NULL, 0, NULL, 0),
		.schemes = kunit_kzalloc(test, sizeof(*context.schemes),
					 GFP_KERNEL),
	};
	struct damon_ctx *ctx;

	KUNIT_ASSERT_NOT_NULL(test, context.schemes);
	ctx = damon_sysfs_test_do_build(&context);
	if (IS_ERR(ctx) && !damon_is_registered_ops(DAMON_OPS_PADDR))
		kunit_skip(test, "paddr operations are not built in");
	KUNIT_ASSERT_FALSE(test, IS_ERR(ctx));
	KUNIT_EXPECT_EQ(test, ctx->ops.id, DAMON_OPS_PADDR);
	KUNIT_EXPECT_EQ(test, ctx->attrs.sample_interval, 1000ul);
	KUNIT_EXPECT_EQ(test, ctx->attrs.aggr_interval, 20000ul);
	KUNIT_EXPECT_EQ(test, ctx->attrs.ops_update_interval, 500000ul);
	KUNIT_EXPECT_EQ(test, ctx->attrs.min_nr_regions, 5ul);
	KUNIT_EXPECT_EQ(test, ctx->attrs.max_nr_regions, 50ul);
	damon_sysfs_destroy_ctx(ctx);

	range.min = 60;
	KUNIT_EXPECT_EQ(test, PTR_ERR(damon_sysfs_test_do_build(&context)),
			-EINVAL);
	range.min = 5;
	intervals.sample_us = 30000;
	KUNIT_EXPECT_EQ(test, PTR_ERR(damon_sysfs_test_do_build(&context)),
			-EINVAL);
}

static void damon_sysfs_test_check_goals(struct kunit *test)
{
	struct damos_access_pattern pattern = {
		.max_sz_region = ULONG_MAX,
		.max_nr_accesses = UINT_MAX,
		.max_age_region = UINT_MAX,
	};
	struct damos_quota quota = {};
	struct damos_watermarks wmarks = { .metric = DAMOS_WMARK_NONE };
	struct damon_ctx *ctx = damon_new_ctx();
	struct damos_quota_goal *goal;
	struct damos *scheme;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	scheme = damon_new_scheme(&pattern, DAMOS_STAT, 0, &quota, &wmarks,
				  NUMA_NO_NODE);
	if (!scheme) {
		damon_destroy_ctx(ctx);
		KUNIT_FAIL(test, "no memory for a scheme");
		return;
	}
	damon_add_scheme(ctx, scheme);
	KUNIT_EXPECT_EQ(test, damon_sysfs_check_goals(ctx), 0);

	goal = damos_new_quota_goal(DAMOS_QUOTA_USER_INPUT, 10000);
	KUNIT_ASSERT_NOT_NULL(test, goal);
	damos_add_quota_goal(&scheme->quota, goal);
	KUNIT_EXPECT_EQ(test, damon_sysfs_check_goals(ctx), 0);
	goal->target_value = 0;
	KUNIT_EXPECT_EQ(test, damon_sysfs_check_goals(ctx), -EINVAL);
	damon_destroy_ctx(ctx);
}

static void damon_sysfs_test_parse_cmd(struct kunit *test)
{
	const struct damon_sysfs_cmd_type *commit = NULL;
	int i;

	for (i = 0; i < ARRAY_SIZE(damon_sysfs_cmd_types); i++) {
		const struct damon_sysfs_cmd_type *type =
			&damon_sysfs_cmd_types[i];

		KUNIT_EXPECT_PTR_EQ(test, damon_sysfs_parse_cmd(type->name),
				    type);
		/* a command is done by one of them, or both */
		KUNIT_EXPECT_TRUE(test, type->prepare || type->step);
		if (!strcmp(type->name, "commit"))
			commit = type;
	}
	KUNIT_ASSERT_NOT_NULL(test, commit);
	KUNIT_EXPECT_PTR_EQ(test, damon_sysfs_parse_cmd("commit\n"), commit);
	KUNIT_EXPECT_NULL(test, damon_sysfs_parse_cmd("o"));
	KUNIT_EXPECT_NULL(test, damon_sysfs_parse_cmd("on off"));
	KUNIT_EXPECT_NULL(test, damon_sysfs_parse_cmd(""));
}

/* A kdamond directory that is never registered, with no context. */
static struct damon_sysfs_kdamond *
damon_sysfs_test_kdamond(struct kunit *test)
{
	struct damon_sysfs_kdamond *kd = kunit_kzalloc(test, sizeof(*kd),
						       GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kd);
	kd->contexts = kunit_kzalloc(test, sizeof(*kd->contexts), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kd->contexts);
	mutex_init(&kd->cmd_mutex);
	mutex_init(&kd->state_lock);
	mutex_init(&kd->ctx_lock);
	spin_lock_init(&kd->cmd_lock);
	return kd;
}

/*
 * A command sent to a kdamond past its last callback is refused and not
 * left in the slot for whatever kdamond comes next to find.
 */
static void damon_sysfs_test_cmd_after_exit(struct kunit *test)
{
	struct damon_sysfs_kdamond *kd = damon_sysfs_test_kdamond(test);
	struct damon_sysfs_cmd cmd = {
		.type = damon_sysfs_parse_cmd("update_schemes_stats"),
	};

	KUNIT_ASSERT_NOT_NULL(test, cmd.type);
	kd->exited = true;
	KUNIT_EXPECT_EQ(test, damon_sysfs_run_cmd(kd, &cmd), -EINVAL);
	KUNIT_EXPECT_NULL(test, kd->cmd);
	KUNIT_EXPECT_FALSE(test, cmd.taken);
}

struct damon_sysfs_test_writer {
	struct damon_sysfs_kdamond *kd;
	struct damon_sysfs_cmd cmd;
	int ret;
	struct completion finished;
};

static int damon_sysfs_test_writer_fn(void *data)
{
	struct damon_sysfs_test_writer *w = data;

	w->ret = damon_sysfs_run_cmd(w->kd, &w->cmd);
	complete(&w->finished);
	return 0;
}

/*
 * A command posted while the kdamond shuts down is answered by its last
 * callback, and nothing can be posted after that.
 */
static void damon_sysfs_test_cmd_at_exit(struct kunit *test)
{
	struct damon_sysfs_test_writer *w = kunit_kzalloc(test, sizeof(*w),
							  GFP_KERNEL);
	struct damon_sysfs_cmd late = {};
	struct task_struct *writer;
	struct damon_ctx *ctx;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->kd = damon_sysfs_test_kdamond(test);
	w->cmd.type = damon_sysfs_parse_cmd("commit");
	KUNIT_ASSERT_NOT_NULL(test, w->cmd.type);
	late.type = w->cmd.type;
	init_completion(&w->finished);
	ctx = damon_new_ctx();
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->callback.private = w->kd;

	writer = kthread_create(damon_sysfs_test_writer_fn, w, "damon_sysfs_w");
	if (IS_ERR(writer)) {
		damon_destroy_ctx(ctx);
		KUNIT_FAIL(test, "no writer thread");
		return;
	}
	/* @w must outlive the thread's last touch of it */
	get_task_struct(writer);
	wake_up_process(writer);
	for (i = 0; i < 100 && !READ_ONCE(w->kd->cmd); i++)
		msleep(20);
	KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(w->kd->cmd));
	damon_sysfs_before_terminate(ctx);
	/* a writer never answered hangs here: the bug this test is about */
	wait_for_completion(&w->finished);
	kthread_stop_put(writer);
	/* a commit the kdamond could not apply any more */
	KUNIT_EXPECT_EQ(test, w->ret, -ESRCH);
	KUNIT_EXPECT_NULL(test, w->kd->cmd);
	KUNIT_EXPECT_EQ(test, damon_sysfs_run_cmd(w->kd, &late), -EINVAL);
	KUNIT_EXPECT_NULL(test, w->kd->cmd);
	damon_destroy_ctx(ctx);
}

static struct kunit_case damon_sysfs_test_cases[] = {
	KUNIT_CASE(damon_sysfs_test_resize),
	KUNIT_CASE(damon_sysfs_test_build_regions),
	KUNIT_CASE(damon_sysfs_test_build_targets),
	KUNIT_CASE(damon_sysfs_test_build_ctx),
	KUNIT_CASE(damon_sysfs_test_check_goals),
	KUNIT_CASE(damon_sysfs_test_parse_cmd),
	KUNIT_CASE(damon_sysfs_test_cmd_after_exit),
	KUNIT_CASE(damon_sysfs_test_cmd_at_exit),
	{},
};

static struct kunit_suite damon_sysfs_test_suite = {
	.name = "damon-sysfs",
	.test_cases = damon_sysfs_test_cases,
};

kunit_test_suite(damon_sysfs_test_suite);

#endif /* _DAMON_SYSFS_TEST_H */

#endif /* CONFIG_DAMON_SYSFS_KUNIT_TEST */
