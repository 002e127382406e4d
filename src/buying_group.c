/*
 * buying_group.c
 *		Module entry point: fans out to the subsystems' initialisation.
 */
#include "postgres.h"

#include "fmgr.h"

#include "template.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Called when the library is loaded. */
void
_PG_init(void)
{
	template_cache_init();
}
