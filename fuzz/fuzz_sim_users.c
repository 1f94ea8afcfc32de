/* kubesim's users file (--users FILE), loaded and then asked about. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "sim/auth.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sim_auth *a = sim_auth_new();
	char err[256];
	sim_user u;
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-users-%ld", (long)getpid());
	f = fopen(path, "wb");
	if (!f) {
		sim_auth_free(a);
		return 0;
	}
	fwrite(data, 1, size, f);
	fclose(f);
	if (sim_auth_load_users(a, path, err, sizeof(err)) == 0) {
		char why[256];
		if (sim_auth_by_token(a, "good", &u) == 0) {
			sim_auth_allowed(a, &u, "get", "", "pods", NULL, "default", NULL, why,
					 sizeof(why));
			sim_auth_allowed(a, &u, "patch", "apps", "deployments", "scale", "t1-prod",
					 "x", why, sizeof(why));
		}
	}
	sim_auth_free(a);
	return 0;
}
