/* views/health_role.h — the theme role a health state is drawn in, for every
 * screen that colours health (the fleet, the tenant screen). */
#ifndef VIEWS_HEALTH_ROLE_H
#define VIEWS_HEALTH_ROLE_H

#include "core/health.h"
#include "tui/theme.h"

tui_role view_health_role(health_state h);

#endif
