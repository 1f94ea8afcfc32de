/* core/git_ref.h — a git ref (branch, tag, commit) at a repository pinned to
 * the commit it names, by asking the repository with the real git.
 *
 * git runs without a shell (posix_spawnp, argv only), in a session of its own
 * (no terminal to prompt on), with GIT_TERMINAL_PROMPT=0, and with git's own
 * credential helpers and ssh keys: no credential ever goes on its argv, in a
 * plan, a journal or on the screen, so a URL holding one (user:password@) is
 * refused. The ext:: transport is never allowed.
 *
 * The checks and the reading of `git ls-remote` are pure; git_ref_resolve
 * runs git and blocks (call it off the UI thread). */
#ifndef CORE_GIT_REF_H
#define CORE_GIT_REF_H

#include <stddef.h>

#define GIT_SHA_SIZE 41	 /* 40 hex digits and NUL */
#define GIT_URL_MAX 127	 /* a repository URL fits a plan input */
#define GIT_REF_MAX 127

/* What the ref named. */
typedef enum git_ref_kind {
	GIT_REF_BRANCH,	 /* refs/heads/NAME */
	GIT_REF_TAG,	 /* refs/tags/NAME (an annotated tag: the commit it points to) */
	GIT_REF_OTHER,	 /* a full refname (refs/...) or HEAD */
	GIT_REF_COMMIT,	 /* a 40-hex commit */
} git_ref_kind;

const char *git_ref_kind_name(git_ref_kind k);

/* How a resolution ended. */
typedef enum git_ref_status {
	GIT_REF_OK = 0,
	GIT_REF_BAD_INPUT,   /* the URL or the ref is refused before git runs */
	GIT_REF_UNKNOWN,     /* the repository answered: no such ref or commit */
	GIT_REF_UNREACHABLE, /* git could not read the repository (or did not answer in time) */
} git_ref_status;

/* 0 when url may be given to git: https://, http://, ssh://, git://, file://,
 * an scp-like user@host:path, or an absolute path; no credential in it
 * (user:password@ is refused, saying why), no leading '-', no blank or
 * control character, at most GIT_URL_MAX bytes. -1 with a sentence in err. */
int git_ref_url_check(const char *url, char *err, size_t errsz);
/* 0 when ref may be a ref: not empty, no leading '-', no blank, control
 * character, "..", "~", "^", ":", "?", "*", "[", "\\"; at most GIT_REF_MAX. */
int git_ref_name_check(const char *ref, char *err, size_t errsz);
/* 1 when s is 40 hex digits (any case). */
int git_ref_is_sha(const char *s);
/* The local directory of a file:// URL or an absolute path, into dir; 0, or
 * -1 when url is not local. */
int git_ref_local_dir(const char *url, char *dir, size_t size);

/* From the text `git ls-remote` printed ("<sha>\t<refname>" lines), the commit
 * ref names: a refname (refs/...) or HEAD as given, else refs/heads/REF or
 * refs/tags/REF (an annotated tag's peeled "^{}" line preferred); a name that
 * is both a branch and a tag of different commits is ambiguous. 0 with sha
 * (lower case) and *kind; -1 with err (GIT_REF_UNKNOWN meant). */
int git_ref_pick(const char *ls_remote, const char *ref, char sha[GIT_SHA_SIZE],
		 git_ref_kind *kind, char *err, size_t errsz);

typedef struct git_ref_result {
	char sha[GIT_SHA_SIZE];
	git_ref_kind kind;
	char note[200]; /* a remark worth showing ("" when none), e.g. a full
			   commit accepted as given, not checked */
} git_ref_result;

/* Pins ref at url to a commit. A 40-hex ref is looked up in a local
 * repository (file:// or a path: `git -C DIR cat-file -e SHA^{commit}`); at
 * a remote one it cannot be (ls-remote lists refs only), so it is accepted as
 * given and out->note says so. timeout_s: how long git may take (0: 30 s).
 * GIT_REF_OK, or another status with a sentence in err (what is wrong, what
 * to do; git's own message where it gave one). */
git_ref_status git_ref_resolve(const char *url, const char *ref, int timeout_s,
			       git_ref_result *out, char *err, size_t errsz);

#endif
