/* Unit tests for the pure parts of core/git_ref: which URLs and refs git is
 * given, and how a ref is picked from `git ls-remote`'s listing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/git_ref.h"
#include "util/util.h"

#define A "1111111111111111111111111111111111111111"
#define B "2222222222222222222222222222222222222222"
#define C "3333333333333333333333333333333333333333"
#define D "ABCDEFabcdef0123456789abcdef0123456789ab"

static const char listing[] = A "\tHEAD\n" A "\trefs/heads/main\n" B "\trefs/heads/feature/x\n" C
				"\trefs/tags/v1.0\n" B "\trefs/tags/v1.0^{}\n" A "\trefs/tags/light\n" B
				"\trefs/heads/both\n" C "\trefs/tags/both\n" A "\trefs/heads/same\n" A
				"\trefs/tags/same\n";

static void test_url_accepts(void **state)
{
	char err[300];

	(void)state;
	assert_int_equal(git_ref_url_check("https://git.smart.example.com/t12345/custom.git", err, sizeof(err)), 0);
	assert_int_equal(git_ref_url_check("ssh://git@git.smart.example.com/t12345/custom.git", err, sizeof(err)), 0);
	assert_int_equal(git_ref_url_check("git@git.smart.example.com:t12345/custom.git", err, sizeof(err)), 0);
	assert_int_equal(git_ref_url_check("file:///srv/git/custom.git", err, sizeof(err)), 0);
	assert_int_equal(git_ref_url_check("/srv/git/custom.git", err, sizeof(err)), 0);
	assert_int_equal(git_ref_url_check("https://token@host/x.git", err, sizeof(err)), 0);
}

static void test_url_refuses(void **state)
{
	char err[300];
	char longer[200];

	(void)state;
	assert_int_equal(git_ref_url_check("https://olga:s3cret@git.example.com/x.git", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "holds a password"));
	assert_null(strstr(err, "s3cret")); /* never repeated */
	assert_int_equal(git_ref_url_check("ssh://git:pw@host/x.git", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "password"));
	assert_int_equal(git_ref_url_check("", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "custom-repo"));
	assert_int_equal(git_ref_url_check("--upload-pack=touch /tmp/x", err, sizeof(err)), -1);
	assert_int_equal(git_ref_url_check("-x", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'-'"));
	assert_int_equal(git_ref_url_check("ext::sh -c touch% /tmp/pwned", err, sizeof(err)), -1);
	assert_int_equal(git_ref_url_check("ext::sh", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "transport helpers"));
	assert_int_equal(git_ref_url_check("https://host/a b", err, sizeof(err)), -1);
	assert_int_equal(git_ref_url_check("https://host/a\nb", err, sizeof(err)), -1);
	assert_int_equal(git_ref_url_check("ftp://host/x.git", err, sizeof(err)), -1);
	assert_int_equal(git_ref_url_check("relative/path.git", err, sizeof(err)), -1);
	assert_int_equal(git_ref_url_check("file://relative", err, sizeof(err)), -1);
	assert_int_equal(git_ref_url_check("https://", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no host"));
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memcpy(longer, "https://", 8);
	assert_int_equal(git_ref_url_check(longer, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
}

static void test_ref_names(void **state)
{
	char err[300];

	(void)state;
	assert_int_equal(git_ref_name_check("main", err, sizeof(err)), 0);
	assert_int_equal(git_ref_name_check("feature/x", err, sizeof(err)), 0);
	assert_int_equal(git_ref_name_check("v1.0", err, sizeof(err)), 0);
	assert_int_equal(git_ref_name_check("refs/heads/main", err, sizeof(err)), 0);
	assert_int_equal(git_ref_name_check(A, err, sizeof(err)), 0);
	assert_int_equal(git_ref_name_check("", err, sizeof(err)), -1);
	assert_int_equal(git_ref_name_check("--upload-pack=x", err, sizeof(err)), -1);
	assert_int_equal(git_ref_name_check("main..dev", err, sizeof(err)), -1);
	assert_int_equal(git_ref_name_check("main~1", err, sizeof(err)), -1);
	assert_int_equal(git_ref_name_check("HEAD^", err, sizeof(err)), -1);
	assert_int_equal(git_ref_name_check("a b", err, sizeof(err)), -1);
	assert_int_equal(git_ref_name_check("main@{1}", err, sizeof(err)), -1);
	assert_int_equal(git_ref_name_check("x/", err, sizeof(err)), -1);
}

static void test_sha(void **state)
{
	char dir[64];

	(void)state;
	assert_true(git_ref_is_sha(A));
	assert_true(git_ref_is_sha(D));
	assert_false(git_ref_is_sha("abc123"));
	assert_false(git_ref_is_sha(A "0"));
	assert_false(git_ref_is_sha("g111111111111111111111111111111111111111"));
	assert_false(git_ref_is_sha(NULL));
	assert_int_equal(git_ref_local_dir("file:///srv/git/x.git", dir, sizeof(dir)), 0);
	assert_string_equal(dir, "/srv/git/x.git");
	assert_int_equal(git_ref_local_dir("/srv/x", dir, sizeof(dir)), 0);
	assert_string_equal(dir, "/srv/x");
	assert_int_equal(git_ref_local_dir("https://host/x", dir, sizeof(dir)), -1);
}

static void test_pick(void **state)
{
	char sha[GIT_SHA_SIZE], err[300];
	git_ref_kind k;

	(void)state;
	assert_int_equal(git_ref_pick(listing, "main", sha, &k, err, sizeof(err)), 0);
	assert_string_equal(sha, A);
	assert_int_equal(k, GIT_REF_BRANCH);
	assert_int_equal(git_ref_pick(listing, "feature/x", sha, &k, err, sizeof(err)), 0);
	assert_string_equal(sha, B);
	/* an annotated tag: the commit it points to, not the tag object */
	assert_int_equal(git_ref_pick(listing, "v1.0", sha, &k, err, sizeof(err)), 0);
	assert_string_equal(sha, B);
	assert_int_equal(k, GIT_REF_TAG);
	assert_int_equal(git_ref_pick(listing, "light", sha, &k, err, sizeof(err)), 0);
	assert_string_equal(sha, A);
	assert_int_equal(git_ref_pick(listing, "HEAD", sha, &k, err, sizeof(err)), 0);
	assert_string_equal(sha, A);
	assert_int_equal(k, GIT_REF_OTHER);
	assert_int_equal(git_ref_pick(listing, "refs/tags/v1.0", sha, &k, err, sizeof(err)), 0);
	assert_string_equal(sha, B);
	assert_int_equal(git_ref_pick(listing, "refs/tags/both", sha, &k, err, sizeof(err)), 0);
	assert_string_equal(sha, C);
	/* a branch and a tag of one name and different commits */
	assert_int_equal(git_ref_pick(listing, "both", sha, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "both a branch and a tag"));
	assert_int_equal(git_ref_pick(listing, "same", sha, &k, err, sizeof(err)), 0);
	assert_string_equal(sha, A);
	/* no such ref; a prefix of a name is not the name */
	assert_int_equal(git_ref_pick(listing, "mai", sha, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no branch or tag \"mai\""));
	assert_int_equal(git_ref_pick(listing, "feature", sha, &k, err, sizeof(err)), -1);
	assert_int_equal(git_ref_pick(listing, "refs/heads/nope", sha, &k, err, sizeof(err)), -1);
	assert_int_equal(git_ref_pick("", "main", sha, &k, err, sizeof(err)), -1);
	/* CRLF line ends and a short line are read without harm */
	assert_int_equal(git_ref_pick("abc\n" D "\trefs/heads/main\r\n", "main", sha, &k, err, sizeof(err)), 0);
	assert_string_equal(sha, "abcdefabcdef0123456789abcdef0123456789ab");
}

static void test_resolve_refuses_before_git(void **state)
{
	git_ref_result r;
	char err[300];

	(void)state;
	assert_int_equal(git_ref_resolve("https://u:p@host/x.git", "main", 5, &r, err, sizeof(err)),
			 GIT_REF_BAD_INPUT);
	assert_int_equal(git_ref_resolve("https://host/x.git", "-x", 5, &r, err, sizeof(err)),
			 GIT_REF_BAD_INPUT);
	/* a full commit at a remote repository: taken as given, and said so */
	assert_int_equal(git_ref_resolve("https://host.invalid/x.git", D, 5, &r, err, sizeof(err)),
			 GIT_REF_OK);
	assert_string_equal(r.sha, "abcdefabcdef0123456789abcdef0123456789ab");
	assert_int_equal(r.kind, GIT_REF_COMMIT);
	assert_non_null(strstr(r.note, "taken as given"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url_accepts),
	    cmocka_unit_test(test_url_refuses),
	    cmocka_unit_test(test_ref_names),
	    cmocka_unit_test(test_sha),
	    cmocka_unit_test(test_pick),
	    cmocka_unit_test(test_resolve_refuses_before_git),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
