/* views/health_role.c — health state -> theme role; see health_role.h. */
#include "views/health_role.h"

tui_role view_health_role(health_state h)
{
	static const tui_role roles[HEALTH_COUNT] = {
	    [HEALTH_AVAILABLE] = TUI_ROLE_AVAILABLE, [HEALTH_SLEEPING] = TUI_ROLE_SLEEPING,
	    [HEALTH_WAKING] = TUI_ROLE_WAKING,	     [HEALTH_DEGRADED] = TUI_ROLE_DEGRADED,
	    [HEALTH_DOWN] = TUI_ROLE_DOWN,	     [HEALTH_BLOCKED] = TUI_ROLE_BLOCKED,
	    [HEALTH_UNKNOWN] = TUI_ROLE_UNKNOWN,
	};
	return h < HEALTH_COUNT ? roles[h] : TUI_ROLE_NORMAL;
}
