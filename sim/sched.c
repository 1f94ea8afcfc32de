/* sim/sched.c — the priority of kubesim's controller threads (see sim/sched.h). */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim/sched.h"

static int controller_nice = SIM_CONTROLLER_NICE;

void sim_sched_set_controller_nice(int nice)
{
	__atomic_store_n(&controller_nice, nice < 0 ? 0 : nice > 19 ? 19 : nice, __ATOMIC_RELAXED);
}

void sim_sched_controller_thread(void)
{
	int nice = __atomic_load_n(&controller_nice, __ATOMIC_RELAXED);

	/* On Linux a nice value is a thread's own: PRIO_PROCESS with a thread id.
	 * Raising it needs no privilege; a refusal leaves the thread as it was. */
	if (nice > 0)
		(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}
