/* sim/sched.h — the priority of kubesim's controller threads.
 *
 * The workload, fleet and volume controllers and the event TTL stand for what a
 * cluster runs on its nodes and in its controller manager, not in its API server:
 * on a real cluster they do not take the API server's CPU. In kubesim they share
 * one process, and in the first minutes of a 5,000-tenant fleet they keep more
 * than a core busy. They run at a lower priority (a nice value of their own), so
 * that the API's readers, and the clients on the same machine, come first; when
 * nothing else wants the CPU they get all of it.
 */
#ifndef SIM_SCHED_H
#define SIM_SCHED_H

#define SIM_CONTROLLER_NICE 5 /* the default; 0 = the API's priority */

/* Sets the nice value controller threads started from now on take (0-19). */
void sim_sched_set_controller_nice(int nice);
/* Called first by each controller thread: lowers its own priority. */
void sim_sched_controller_thread(void);

#endif
