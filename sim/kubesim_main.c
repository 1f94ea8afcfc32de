#include <stdio.h>
#include "sim/resource.h"
#include "util/util.h"

int main(void)
{
	printf("kubesim: %zu resources\n", sim_resource_count());
	return 0;
}
