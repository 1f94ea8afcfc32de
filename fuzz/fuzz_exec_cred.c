/* A credential plugin's reply (ExecCredential, v1 and v1beta1). */
#include "fuzz/fuzz.h"
#include "k8s/exec_cred.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const versions[] = {"client.authentication.k8s.io/v1",
					       "client.authentication.k8s.io/v1beta1"};
	k8s_exec_cred cred;
	char err[256];

	for (int i = 0; i < 2; i++)
		if (k8s_exec_parse((const char *)data, size, versions[i], &cred, err, sizeof(err)) == 0)
			k8s_exec_cred_release(&cred);
	return 0;
}
