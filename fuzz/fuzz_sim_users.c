/* kubesim's users file (--users FILE): its text loaded from memory through the
 * entry the file reader calls, then asked about. */
#include "fuzz/fuzz.h"
#include "sim/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sim_auth *a = sim_auth_new();
	char err[256];
	sim_user u;

	if (sim_auth_load_users_text(a, "users", (const char *)data, size, err, sizeof(err)) == 0) {
		char why[256];
		if (sim_auth_by_token(a, "good", &u) == 1) {
			sim_auth_allowed(a, &u, "get", "", "pods", NULL, "default", NULL, why,
					 sizeof(why));
			sim_auth_allowed(a, &u, "patch", "apps", "deployments", "scale", "t1-prod",
					 "x", why, sizeof(why));
		}
	}
	sim_auth_free(a);
	return 0;
}
