/* A git ref pinned to a commit with the real git (see core/git_ref.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/git_ref.h"
#include "util/util.h"

extern char **environ;

#define DEFAULT_TIMEOUT_S 30
#define OUT_MAX (8u << 20) /* the most of git's output read */

const char *git_ref_kind_name(git_ref_kind k)
{
	static const char *const names[] = {"branch", "tag", "ref", "commit"};

	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "ref";
}

int git_ref_is_sha(const char *s)
{
	size_t i;

	for (i = 0; s && s[i]; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s && i == 40;
}

static int has_blank_or_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 1;
	return 0;
}

int git_ref_url_check(const char *url, char *err, size_t errsz)
{
	static const char *const schemes[] = {"https://", "http://", "ssh://", "git://", "file://"};
	const char *rest = NULL, *at, *colon, *end;
	size_t i;

	if (!url || !*url)
		return util_seterr(err, errsz,
				   "no repository: give --repo URL, or set the namespace annotation custom-repo");
	if (strlen(url) > GIT_URL_MAX)
		return util_seterr(err, errsz, "the repository URL is longer than %d characters",
				   GIT_URL_MAX);
	if (has_blank_or_control(url))
		return util_seterr(err, errsz, "the repository URL holds a blank or a control character");
	if (url[0] == '-')
		return util_seterr(err, errsz, "the repository URL may not begin with '-'");
	for (i = 0; i < ARRAY_SIZE(schemes) && !rest; i++)
		if (!strncasecmp(url, schemes[i], strlen(schemes[i])))
			rest = url + strlen(schemes[i]);
	if (!rest) {
		if (strstr(url, "::"))
			return util_seterr(err, errsz,
					   "repository \"%s\": git's transport helpers (X::) are not accepted; give an https://, ssh:// or file:// URL",
					   url);
		if (url[0] == '/')
			return 0; /* a local path */
		colon = strchr(url, ':');
		if (strstr(url, "://") || !colon || colon == url)
			return util_seterr(err, errsz,
					   "repository \"%s\" is not a URL git takes here: use https://, ssh://, git://, file://, user@host:path or an absolute path",
					   url);
		return 0; /* scp-like user@host:path: a user name at most, no password */
	}
	if (!strncasecmp(url, "file://", 7))
		return rest[0] == '/' ? 0
				      : util_seterr(err, errsz,
						    "repository \"%s\": a file:// URL names an absolute path (file:///srv/git/x.git)",
						    url);
	end = rest + strcspn(rest, "/?#");
	at = NULL;
	for (const char *p = rest; p < end; p++)
		if (*p == '@')
			at = p;
	if (at && memchr(rest, ':', (size_t)(at - rest)))
		return util_seterr(err, errsz,
				   "the repository URL holds a password (user:password@host): a credential is never put in a URL, on a command line or on a screen; remove it and let git's credential helper or ssh key give it");
	if (rest == end || (at && at + 1 == end))
		return util_seterr(err, errsz, "repository \"%s\" names no host", url);
	return 0;
}

int git_ref_name_check(const char *ref, char *err, size_t errsz)
{
	if (!ref || !*ref)
		return util_seterr(err, errsz, "no ref: give --ref BRANCH, TAG or a 40-hex commit");
	if (strlen(ref) > GIT_REF_MAX)
		return util_seterr(err, errsz, "the ref is longer than %d characters", GIT_REF_MAX);
	if (ref[0] == '-')
		return util_seterr(err, errsz, "ref \"%s\" may not begin with '-'", ref);
	if (has_blank_or_control(ref) || strstr(ref, "..") || strpbrk(ref, "~^:?*[\\") ||
	    ref[strlen(ref) - 1] == '/' || ref[0] == '/' || strstr(ref, "@{"))
		return util_seterr(err, errsz,
				   "ref \"%s\" is not a branch, tag or commit name (no blanks, \"..\", ~ ^ : ? * [ \\)",
				   ref);
	return 0;
}

int git_ref_local_dir(const char *url, char *dir, size_t size)
{
	const char *p = NULL;

	if (!strncasecmp(url, "file://", 7))
		p = url + 7;
	else if (url[0] == '/')
		p = url;
	if (!p || p[0] != '/' || strlen(p) >= size)
		return -1;
	util_strlcpy(dir, p, size);
	return 0;
}

/* ---- reading ls-remote ------------------------------------------------------------- */

typedef struct found {
	char sha[GIT_SHA_SIZE];
	char peeled[GIT_SHA_SIZE]; /* an annotated tag's commit ("^{}" line) */
} found;

/* Looks for refname (and its peeled line) in the listing. 1 when found. */
static int find_line(const char *text, const char *refname, found *f)
{
	const char *p = text;
	size_t rn = strlen(refname);
	int hit = 0;

	memset(f, 0, sizeof(*f));
	while (p && *p) {
		const char *eol = strchr(p, '\n'), *tab = memchr(p, '\t', eol ? (size_t)(eol - p) : strlen(p));
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (tab && tab - p == 40) {
			const char *name = tab + 1;
			size_t nl = len - 41;

			while (nl && name[nl - 1] == '\r')
				nl--;
			if (nl == rn && !strncmp(name, refname, rn)) {
				memcpy(f->sha, p, 40);
				hit = 1;
			} else if (nl == rn + 3 && !strncmp(name, refname, rn) &&
				   !strncmp(name + rn, "^{}", 3)) {
				memcpy(f->peeled, p, 40);
				hit = 1;
			}
		}
		p = eol ? eol + 1 : NULL;
	}
	return hit;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static const char *commit_of(const found *f)
{
	return f->peeled[0] ? f->peeled : f->sha;
}

int git_ref_pick(const char *ls_remote, const char *ref, char sha[GIT_SHA_SIZE],
		 git_ref_kind *kind, char *err, size_t errsz)
{
	char name[GIT_REF_MAX + 16];
	found head, tag;
	int is_head, is_tag;

	if (!strncmp(ref, "refs/", 5) || !strcmp(ref, "HEAD")) {
		if (!find_line(ls_remote, ref, &head) || !commit_of(&head)[0])
			return util_seterr(err, errsz, "the repository has no ref %s", ref);
		util_strlcpy(sha, commit_of(&head), GIT_SHA_SIZE);
		*kind = !strncmp(ref, "refs/heads/", 11) ? GIT_REF_BRANCH
			: !strncmp(ref, "refs/tags/", 10) ? GIT_REF_TAG
							   : GIT_REF_OTHER;
		lower(sha);
		return 0;
	}
	snprintf(name, sizeof(name), "refs/heads/%s", ref);
	is_head = find_line(ls_remote, name, &head) && head.sha[0];
	snprintf(name, sizeof(name), "refs/tags/%s", ref);
	is_tag = find_line(ls_remote, name, &tag) && commit_of(&tag)[0];
	if (is_head && is_tag && strcmp(head.sha, commit_of(&tag)))
		return util_seterr(err, errsz,
				   "\"%s\" is both a branch and a tag of different commits: give refs/heads/%s or refs/tags/%s",
				   ref, ref, ref);
	if (!is_head && !is_tag)
		return util_seterr(err, errsz,
				   "the repository has no branch or tag \"%s\" (a commit is given as its full 40-hex id)",
				   ref);
	util_strlcpy(sha, is_head ? head.sha : commit_of(&tag), GIT_SHA_SIZE);
	*kind = is_head ? GIT_REF_BRANCH : GIT_REF_TAG;
	lower(sha);
	return 0;
}

/* ---- running git ------------------------------------------------------------------- */

/* The environment git runs with: ours, without a terminal prompt (git's nor,
 * unless the operator chose their own, ssh's), in the C locale. */
static char **git_environ(void)
{
	size_t n = 0, k = 0, i;
	char **env;

	while (environ && environ[n])
		n++;
	env = xcalloc(n + 5, sizeof(*env));
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "GIT_TERMINAL_PROMPT=", 20) && strncmp(environ[i], "LC_ALL=", 7) &&
		    strncmp(environ[i], "LANGUAGE=", 9) && strncmp(environ[i], "GIT_DIR=", 8))
			env[k++] = environ[i];
	static char prompt[] = "GIT_TERMINAL_PROMPT=0", locale[] = "LC_ALL=C";

	env[k++] = prompt;
	env[k++] = locale;
	if (!getenv("GIT_SSH_COMMAND") && !getenv("GIT_SSH")) { /* ssh may not ask either */
		static char batch[] = "GIT_SSH_COMMAND=ssh -o BatchMode=yes";

		env[k++] = batch;
	}
	env[k] = NULL;
	return env;
}

typedef struct git_run {
	strbuf out, err;
	int status;    /* git's exit status, -1 when it did not exit by itself */
	int timed_out;
} git_run;

/* Runs git with argv (argv[0] "git"), stdin from /dev/null, in its own
 * session. 0 once it ended (r->status), -1 when it could not start (err). */
static int run_git(const char *const argv[], int timeout_s, git_run *r, char *err, size_t errsz)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int out[2] = {-1, -1}, er[2] = {-1, -1}, rc, ws = 0;
	char **env = NULL;
	pid_t pid = -1;
	int64_t deadline = util_mono_ms() + (int64_t)(timeout_s > 0 ? timeout_s : DEFAULT_TIMEOUT_S) * 1000;

	sb_init(&r->out, 1024);
	sb_init(&r->err, 256);
	r->status = -1;
	r->timed_out = 0;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0) {
		util_seterr(err, errsz, "cannot run git: %s", strerror(errno));
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, er[1], 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	env = git_environ();
	rc = posix_spawnp(&pid, "git", &fa, &at, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(env);
	close(out[1]);
	close(er[1]);
	out[1] = er[1] = -1;
	if (rc != 0) {
		util_seterr(err, errsz, "cannot run git: %s (is git installed?)", strerror(rc));
		goto fail;
	}
	for (;;) {
		struct pollfd pf[2] = {{out[0], POLLIN, 0}, {er[0], POLLIN, 0}};
		int64_t left = deadline - util_mono_ms();
		int open = (out[0] >= 0) + (er[0] >= 0), i;

		if (!open)
			break;
		if (left <= 0) {
			r->timed_out = 1;
			kill(-pid, SIGKILL); /* git and its ssh: a session of their own */
			kill(pid, SIGKILL);
			break;
		}
		if (poll(pf, 2, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			int *fd = i ? &er[0] : &out[0];
			strbuf *sb = i ? &r->err : &r->out;
			char buf[4096];
			ssize_t n;

			if (*fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(*fd, buf, sizeof(buf));
			if (n > 0 && sb->len < OUT_MAX)
				sb_add(sb, buf, (size_t)n);
			else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
				close(*fd);
				*fd = -1;
			}
		}
	}
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (!r->timed_out && WIFEXITED(ws))
		r->status = WEXITSTATUS(ws);
	if (out[0] >= 0)
		close(out[0]);
	if (er[0] >= 0)
		close(er[0]);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (er[i] >= 0)
			close(er[i]);
	}
	sb_release(&r->out);
	sb_release(&r->err);
	return -1;
}

static void git_run_release(git_run *r)
{
	sb_release(&r->out);
	sb_release(&r->err);
}

/* git's own words: its "fatal:"/"error:" lines (else its first line), one
 * line, printable characters only. */
static void git_says(const git_run *r, char *buf, size_t size)
{
	const char *p = r->err.buf ? r->err.buf : "", *pick = NULL;
	size_t k = 0, len;

	for (const char *q = p; q && *q; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : NULL)
		if (!strncmp(q, "fatal:", 6) || !strncmp(q, "error:", 6) || !strncmp(q, "ERROR", 5)) {
			pick = q;
			break;
		}
	if (!pick)
		pick = p;
	len = strcspn(pick, "\n");
	for (size_t i = 0; i < len && k + 1 < size; i++)
		buf[k++] = isprint((unsigned char)pick[i]) ? pick[i] : '?';
	if (size)
		buf[k < size ? k : size - 1] = '\0';
	if (!k)
		util_strlcpy(buf, "git gave no reason", size);
}

git_ref_status git_ref_resolve(const char *url, const char *ref, int timeout_s,
			       git_ref_result *out, char *err, size_t errsz)
{
	char dir[256], says[300], spec[GIT_SHA_SIZE + 16];
	git_run r;
	git_ref_status ret;

	memset(out, 0, sizeof(*out));
	if (git_ref_url_check(url, err, errsz) < 0 || git_ref_name_check(ref, err, errsz) < 0)
		return GIT_REF_BAD_INPUT;
	if (git_ref_is_sha(ref)) {
		util_strlcpy(out->sha, ref, sizeof(out->sha));
		lower(out->sha);
		out->kind = GIT_REF_COMMIT;
		if (git_ref_local_dir(url, dir, sizeof(dir)) < 0) {
			util_seterr(out->note, sizeof(out->note),
				    "commit %.12s taken as given: a remote repository cannot be asked whether it holds a commit (git ls-remote lists refs only); the build's checkout will tell",
				    out->sha);
			return GIT_REF_OK;
		}
		snprintf(spec, sizeof(spec), "%s^{commit}", out->sha);
		{
			const char *argv[] = {"git", "-C", dir, "cat-file", "-e", spec, NULL};

			if (run_git(argv, timeout_s, &r, err, errsz) < 0)
				return GIT_REF_UNREACHABLE;
		}
		if (r.status == 0)
			ret = GIT_REF_OK;
		else if (r.timed_out) {
			util_seterr(err, errsz, "git did not answer within %d s reading %s",
				    timeout_s > 0 ? timeout_s : DEFAULT_TIMEOUT_S, url);
			ret = GIT_REF_UNREACHABLE;
		} else if (access(dir, R_OK) != 0 || strstr(r.err.buf ? r.err.buf : "", "not a git repository")) {
			git_says(&r, says, sizeof(says));
			util_seterr(err, errsz, "cannot read repository %s: %s", url, says);
			ret = GIT_REF_UNREACHABLE;
		} else {
			util_seterr(err, errsz, "repository %s has no commit %s", url, out->sha);
			ret = GIT_REF_UNKNOWN;
		}
		git_run_release(&r);
		return ret;
	}
	{
		const char *argv[] = {"git", "-c", "protocol.ext.allow=never", "ls-remote", "--",
				      url, NULL};

		if (run_git(argv, timeout_s, &r, err, errsz) < 0)
			return GIT_REF_UNREACHABLE;
	}
	if (r.timed_out) {
		util_seterr(err, errsz,
			    "git did not answer within %d s asking %s for its refs: is the host reachable?",
			    timeout_s > 0 ? timeout_s : DEFAULT_TIMEOUT_S, url);
		ret = GIT_REF_UNREACHABLE;
	} else if (r.status != 0) {
		git_says(&r, says, sizeof(says));
		util_seterr(err, errsz, "cannot read repository %s: %s", url, says);
		ret = GIT_REF_UNREACHABLE;
	} else if (git_ref_pick(r.out.buf ? r.out.buf : "", ref, out->sha, &out->kind, says,
				sizeof(says)) < 0) {
		util_seterr(err, errsz, "%s: %s", url, says);
		ret = GIT_REF_UNKNOWN;
	} else {
		ret = GIT_REF_OK;
	}
	git_run_release(&r);
	return ret;
}
