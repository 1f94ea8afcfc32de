/* sim/buildrun.c — one stage of a custom-build Job (see buildrun.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/buildrun.h"
#include "util/util.h"

extern char **environ;

#define GIT_OUT_MAX (8u << 20)   /* ls-tree output kept at most */
#define GIT_ERR_MAX (16u << 10)
#define MESSAGE_MAX 4096         /* the kubelet's termination message limit */

static const char *const stage_names[SIM_BUILD_STAGES] = {
	"checkout", "sonarqube", "compile", "upload", "finish",
};
static const int stage_seconds[SIM_BUILD_STAGES] = {12, 45, 30, 8, 2};

const char *sim_build_stage_name(sim_build_stage st)
{
	return st < SIM_BUILD_STAGES ? stage_names[st] : "";
}

int sim_build_stage_seconds(sim_build_stage st)
{
	return st < SIM_BUILD_STAGES ? stage_seconds[st] : 0;
}

int sim_build_is_build(const char *const *init_names, size_t n)
{
	if (n != SIM_BUILD_INIT_STAGES)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!init_names[i] || strcmp(init_names[i], stage_names[i]))
			return 0;
	return 1;
}

/* ---- pure functions ---- */

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcasecmp(s + n - m, suffix);
}

int sim_build_is_source(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return ends_with_ci(base, ".prw") || ends_with_ci(base, ".prx") || ends_with_ci(base, ".tlpp");
}

int sim_build_is_commit(const char *s)
{
	size_t i;

	if (!s)
		return 0;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return i == 40;
}

int sim_build_file_path(const char *url, char *out, size_t size)
{
	const char *p;

	if (!url || strncmp(url, "file://", 7))
		return -1;
	p = url + 7;
	if (!strncmp(p, "localhost/", 10))
		p += 9;
	if (*p != '/' || util_strlcpy(out, p, size) >= size)
		return -1;
	return 0;
}

int sim_build_gate_verdict(const sim_build_gate_cond *conds, size_t n, strbuf *out)
{
	size_t failed = 0;

	for (size_t i = 0; i < n; i++) {
		const sim_build_gate_cond *c = &conds[i];
		int bad = c->fail_above ? c->value > c->threshold : c->value < c->threshold;
		const char *pct = c->percent ? "%" : "";

		if (!bad)
			continue;
		sb_adds(out, failed ? "; " : "quality gate ERROR: ");
		sb_addf(out, "%s %d%s %s %d%s", c->metric, c->value, pct, c->fail_above ? ">" : "<",
			c->threshold, pct);
		failed++;
	}
	if (!failed)
		sb_adds(out, "quality gate OK");
	return !failed;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	if (!h)
		h = 1469598103934665603ull;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* ---- results ---- */

static void add_line(sim_build_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_line(sim_build_result *r, const char *fmt, ...)
{
	strbuf sb;
	va_list ap;

	sb_init(&sb, 128);
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->lines = xrealloc(r->lines, (r->n_lines + 1) * sizeof(*r->lines));
	r->lines[r->n_lines++] = sb_detach(&sb, NULL);
}

/* Every line of text (git's stderr) into the log. */
static void add_text_lines(sim_build_result *r, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		if (len)
			add_line(r, "%.*s", (int)len, text);
		text += len + (nl ? 1 : 0);
	}
}

static void set_message(sim_build_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_message(sim_build_result *r, const char *fmt, ...)
{
	strbuf sb;
	va_list ap;

	sb_init(&sb, 128);
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (sb.len > MESSAGE_MAX)
		sb.buf[MESSAGE_MAX] = '\0';
	free(r->message);
	r->message = sb_detach(&sb, NULL);
}

static void fail_with(sim_build_result *r, int code, const char *what)
{
	r->exit_code = code;
	add_line(r, "error: %s", what);
	set_message(r, "%s", what);
}

void sim_build_result_release(sim_build_result *r)
{
	for (size_t i = 0; i < r->n_lines; i++)
		free(r->lines[i]);
	free(r->lines);
	free(r->message);
	memset(r, 0, sizeof(*r));
}

/* ---- git ---- */

/* Runs git (argv[0] "git", NULL-terminated) without a shell; its stdout into out, stderr
 * into errout (both bounded). Returns git's exit status, 128 + signal when killed, or -1
 * when it cannot be started (errout says why). */
static int run_git(const char *const argv[], strbuf *out, strbuf *errout)
{
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, status, ret = -1;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	struct pollfd fds[2];
	char buf[8192];

	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		sb_addf(errout, "cannot run git: pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	errno = posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv, environ); /* argv is not written */
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (errno) {
		sb_addf(errout, "cannot run git: %s", strerror(errno));
		goto out;
	}
	fds[0] = (struct pollfd){.fd = po[0], .events = POLLIN};
	fds[1] = (struct pollfd){.fd = pe[0], .events = POLLIN};
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			strbuf *sb = i ? errout : out;
			size_t cap = i ? GIT_ERR_MAX : GIT_OUT_MAX;
			ssize_t n;

			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			n = read(fds[i].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				*(i ? &pe[0] : &po[0]) = -1; /* closed: not again below (by then the number
							      * may be another thread's socket) */
				continue;
			}
			if (sb->len < cap)
				sb_add(sb, buf, (size_t)n < cap - sb->len ? (size_t)n : cap - sb->len);
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	return ret;
}

static void trim_end(strbuf *sb)
{
	while (sb->len && (sb->buf[sb->len - 1] == '\n' || sb->buf[sb->len - 1] == '\r' ||
			   sb->buf[sb->len - 1] == ' '))
		sb->buf[--sb->len] = '\0';
}

/* The --git-dir of a repository path: PATH/.git for a work tree, else PATH (bare). */
static void git_dir_of(const char *path, char *out, size_t size)
{
	struct stat st;

	snprintf(out, size, "%s/.git", path);
	if (stat(out, &st) != 0)
		util_strlcpy(out, path, size);
}

/* The files of a tree. */
typedef struct filelist {
	char **v;
	size_t n;
} filelist;

static void filelist_release(filelist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void filelist_add(filelist *l, const char *s, size_t len)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrndup(s, len);
}

/* What a stage knows about the repository at the commit. */
typedef struct tree {
	int simulated;       /* not a file:// repository */
	filelist files;      /* every file at the commit (simulated: a made-up list) */
	int git_code;        /* git's exit status when it failed, else 0 */
	strbuf git_err;      /* git's stderr when it failed */
} tree;

static void tree_release(tree *t)
{
	filelist_release(&t->files);
	sb_release(&t->git_err);
}

/* Protheus-like names for a simulated repository. */
static const char *const sim_files[] = {
	"src/MATA410.PRW",    "src/MATA103.PRW",     "src/FINA050.PRW",   "src/FATA050.prw",
	"src/ZCOMA01.prw",    "src/ZFATR02.prw",     "src/MT100GRV.PRW",  "src/M410STTS.PRW",
	"src/includes/ZLIB.prx", "tlpp/custom.fat.pedidos.tlpp", "tlpp/custom.fin.titulos.tlpp",
	"tlpp/custom.api.health.tlpp", "src/ZESTA03.prw", "src/A010TOK.PRW",
};

static void simulated_tree(const sim_build_env *env, tree *t)
{
	uint64_t h = hash_str(hash_str(0, env->commit), env->build_id);
	size_t n = 3 + (size_t)(h % 10), start = (size_t)((h >> 8) % ARRAY_SIZE(sim_files));

	t->simulated = 1;
	filelist_add(&t->files, "README.md", 9);
	for (size_t i = 0; i < n; i++) {
		const char *f = sim_files[(start + i) % ARRAY_SIZE(sim_files)];

		filelist_add(&t->files, f, strlen(f));
	}
}

/* Reads the tree at env->commit: 0, or -1 with t->git_code / t->git_err set. */
static int read_tree(const sim_build_env *env, tree *t)
{
	char path[4096], dir[4200], gd[4300], obj[64];
	strbuf out;
	int rc;

	memset(t, 0, sizeof(*t));
	sb_init(&t->git_err, 256);
	if (sim_build_file_path(env->repo, path, sizeof(path)) < 0) {
		simulated_tree(env, t);
		return 0;
	}
	git_dir_of(path, dir, sizeof(dir));
	snprintf(gd, sizeof(gd), "--git-dir=%s", dir);
	snprintf(obj, sizeof(obj), "%s^{commit}", env->commit);
	sb_init(&out, 4096);
	{
		const char *const argv[] = {"git", "-c", "safe.directory=*", gd, "cat-file", "-e", obj, NULL};

		rc = run_git(argv, &out, &t->git_err);
	}
	if (rc == 0) {
		const char *const argv[] = {"git", "-c", "safe.directory=*", gd, "ls-tree", "-r", "-z",
				      "--name-only", env->commit, NULL};

		sb_reset(&out);
		rc = run_git(argv, &out, &t->git_err);
	}
	if (rc != 0) {
		t->git_code = rc < 0 ? 127 : rc;
		trim_end(&t->git_err);
		if (!t->git_err.len)
			sb_addf(&t->git_err, "git exited with status %d", t->git_code);
		sb_release(&out);
		return -1;
	}
	for (size_t i = 0; i < out.len;) {
		size_t len = strnlen(out.buf + i, out.len - i);

		if (len)
			filelist_add(&t->files, out.buf + i, len);
		i += len + 1;
	}
	sb_release(&out);
	return 0;
}

/* The stage cannot work without these. */
static int need_env(const sim_build_env *env, int repo, int ids, sim_build_result *r)
{
	char what[160];

	if (repo && (!env->repo || !*env->repo))
		snprintf(what, sizeof(what), "REPO is not set (the repository URL)");
	else if (repo && (!env->commit || !*env->commit))
		snprintf(what, sizeof(what), "COMMIT is not set (a commit id of 40 hex digits)");
	else if (repo && !sim_build_is_commit(env->commit))
		snprintf(what, sizeof(what), "COMMIT \"%.60s\" is not a commit id (40 hex digits)",
			 env->commit);
	else if (ids && (!env->build_id || !*env->build_id))
		snprintf(what, sizeof(what), "BUILD_ID is not set");
	else if (ids && (!env->rpo_location || !*env->rpo_location))
		snprintf(what, sizeof(what), "RPO_LOCATION is not set (the bucket URL prefix)");
	else
		return 0;
	fail_with(r, 2, what);
	return -1;
}

/* The sources of a tree, in tree order. */
static size_t count_sources(const tree *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->files.n; i++)
		n += sim_build_is_source(t->files.v[i]);
	return n;
}

/* A stage that needs the tree and could not read it fails with git's message. */
static int tree_or_fail(const sim_build_env *env, tree *t, sim_build_result *r)
{
	if (read_tree(env, t) == 0)
		return 0;
	add_text_lines(r, t->git_err.buf);
	r->exit_code = t->git_code;
	set_message(r, "%s", t->git_err.buf);
	return -1;
}

static void stage_checkout(const sim_build_env *env, sim_build_result *r)
{
	tree t;

	if (need_env(env, 1, 0, r))
		return;
	add_line(r, "checkout: %s at %s", env->repo, env->commit);
	if (tree_or_fail(env, &t, r) == 0) {
		if (t.simulated)
			add_line(r, "simulated checkout: %s is not a file:// repository, nothing was read",
				 env->repo);
		else
			add_line(r, "git cat-file -e %s^{commit}: the commit exists", env->commit);
		add_line(r, "HEAD is now at %.12s", env->commit);
		add_line(r, "%zu files, %zu AdvPL/TLPP sources", t.files.n, count_sources(&t));
		set_message(r, "checked out %.12s (%zu files)", env->commit, t.files.n);
	} else {
		add_line(r, "checkout failed: git exited with status %d", r->exit_code);
	}
	tree_release(&t);
}

static void stage_sonarqube(const sim_build_env *env, sim_build_force force, sim_build_result *r)
{
	uint64_t h;
	sim_build_gate_cond conds[2];
	strbuf verdict;
	size_t n;
	tree t;

	if (need_env(env, 1, 0, r))
		return;
	add_line(r, "INFO: Scanner configuration file: /opt/sonar-scanner/conf/sonar-scanner.properties");
	add_line(r, "INFO: SonarScanner 5.0.1.3006");
	add_line(r, "INFO: Analyzing on SonarQube server 10.4.1");
	if (tree_or_fail(env, &t, r) < 0) {
		add_line(r, "ERROR: Error during SonarScanner execution");
		tree_release(&t);
		return;
	}
	n = count_sources(&t);
	add_line(r, "INFO: Project key: custom-%s", env->build_id ? env->build_id : "build");
	add_line(r, "INFO: SCM revision ID '%s'", env->commit);
	add_line(r, "INFO: %zu source files to be analyzed", n);
	for (size_t i = 0; i < t.files.n; i++)
		if (sim_build_is_source(t.files.v[i]))
			add_line(r, "INFO: Analyzing %s", t.files.v[i]);
	add_line(r, "INFO: %zu/%zu source files have been analyzed", n, n);
	add_line(r, "INFO: ANALYSIS SUCCESSFUL");
	h = hash_str(0, env->commit);
	conds[0] = (sim_build_gate_cond){"new bugs", 0, 0, 0, 1};
	conds[1] = (sim_build_gate_cond){"coverage", 60 + (int)(h % 36), 60, 1, 0};
	if (force == SIM_BUILD_FORCE_FAIL) {
		conds[0].value = 3;
		conds[1].value = 41;
	}
	sb_init(&verdict, 128);
	add_line(r, "INFO: Quality gate conditions: new bugs %d (fails above %d), coverage %d%% (fails below %d%%)",
		 conds[0].value, conds[0].threshold, conds[1].value, conds[1].threshold);
	r->exit_code = sim_build_gate_verdict(conds, ARRAY_SIZE(conds), &verdict) ? 0 : 1;
	add_line(r, "%s", verdict.buf);
	set_message(r, "%s", verdict.buf);
	sb_release(&verdict);
	tree_release(&t);
}

static void stage_compile(const sim_build_env *env, sim_build_force force, sim_build_result *r)
{
	size_t n = 0;
	tree t;

	if (need_env(env, 1, 0, r))
		return;
	add_line(r, "AdvPL/TLPP compiler: sources at %.12s%s", env->commit,
		 strncmp(env->repo, "file://", 7) ? " (simulated repository)" : "");
	if (tree_or_fail(env, &t, r) < 0) {
		tree_release(&t);
		return;
	}
	for (size_t i = 0; i < t.files.n; i++) {
		const char *f = t.files.v[i];

		if (!sim_build_is_source(f))
			continue;
		add_line(r, "compiling %s", f);
		n++;
		if (force == SIM_BUILD_FORCE_FAIL) {
			int line = 10 + (int)(hash_str(0, f) % 900);

			add_line(r, "%s(%d) error C2001 Syntax error: unexpected \"EndIf\"", f, line);
			add_line(r, "compile failed: 1 error");
			r->exit_code = 1;
			set_message(r, "compile failed: %s(%d): error C2001 syntax error", f, line);
			tree_release(&t);
			return;
		}
	}
	if (!n) {
		add_line(r, "no AdvPL/TLPP sources (.prw, .prx, .tlpp) at %s", env->commit);
		r->exit_code = 1;
		set_message(r, "no sources to compile (.prw, .prx, .tlpp) at %.12s", env->commit);
	} else {
		add_line(r, "compiled %zu sources into custom.rpo", n);
		set_message(r, "compiled %zu sources", n);
	}
	tree_release(&t);
}

/* <RPO_LOCATION>/<BUILD_ID>/custom.rpo */
static void rpo_url(const sim_build_env *env, strbuf *out)
{
	size_t n = strlen(env->rpo_location);

	while (n && env->rpo_location[n - 1] == '/')
		n--;
	sb_addf(out, "%.*s/%s/custom.rpo", (int)n, env->rpo_location, env->build_id);
}

static void stage_upload(const sim_build_env *env, sim_build_result *r)
{
	strbuf url;
	uint64_t h;

	if (need_env(env, 0, 1, r))
		return;
	sb_init(&url, 128);
	rpo_url(env, &url);
	h = hash_str(hash_str(0, env->commit), env->build_id);
	add_line(r, "uploading custom.rpo (%llu bytes) to %s",
		 (unsigned long long)(1048576 + h % 4194304), url.buf);
	add_line(r, "upload complete: %s", url.buf);
	set_message(r, "%s", url.buf);
	sb_release(&url);
}

static void stage_finish(const sim_build_env *env, sim_build_result *r)
{
	strbuf url;

	if (need_env(env, 0, 1, r))
		return;
	sb_init(&url, 128);
	rpo_url(env, &url);
	add_line(r, "build %s succeeded", env->build_id);
	add_line(r, "custom RPO: %s", url.buf);
	sb_release(&url);
}

void sim_build_run(sim_build_stage st, const sim_build_env *env, sim_build_force force,
		   sim_build_result *out)
{
	memset(out, 0, sizeof(*out));
	out->duration_s = sim_build_stage_seconds(st);
	switch (st) {
	case SIM_BUILD_CHECKOUT:
		stage_checkout(env, out);
		break;
	case SIM_BUILD_SONARQUBE:
		stage_sonarqube(env, force, out);
		break;
	case SIM_BUILD_COMPILE:
		stage_compile(env, force, out);
		break;
	case SIM_BUILD_UPLOAD:
		stage_upload(env, out);
		break;
	default:
		stage_finish(env, out);
	}
}
