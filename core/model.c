/* core/model.c — an environment's strings (see core/model.h). */
#include <string.h>

#include "core/model.h"

const char *model_text(const model_env *e, model_str s)
{
	return s && s <= e->text_len ? e->text + s - 1 : "";
}

void model_text_set(model_env *e, model_str *s, const char *v, size_t max)
{
	size_t n = v ? strnlen(v, max) : 0, room = MODEL_TEXT_SIZE - e->text_len;

	*s = 0;
	if (!n || room < 2)
		return;
	if (n > room - 1)
		n = room - 1;
	memcpy(e->text + e->text_len, v, n);
	e->text[e->text_len + n] = '\0';
	*s = (model_str)(e->text_len + 1);
	e->text_len = (uint16_t)(e->text_len + n + 1);
}
