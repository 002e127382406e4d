/*
 * template.h
 *		Role templates as the C code sees them: loaded from the catalog
 *		tables, conditions parsed, cached per backend until the catalog changes.
 */
#ifndef BUYING_GROUP_TEMPLATE_H
#define BUYING_GROUP_TEMPLATE_H

#include "postgres.h"

#include "rule.h"

typedef struct TemplateRole
{
	char	   *name;
	int			priority;
	int			weight;
	bool		required;
	int			members_required;
	Rule	   *rule;			/* NULL: no conditions, never auto-matched */
} TemplateRole;

typedef struct Template
{
	char	   *name;
	int			id;
	bool		live;
	bool		weighted;		/* completeness_mode = 'weighted' */
	int			nroles;
	TemplateRole *roles;		/* in priority order */
	MemoryContext cxt;
} Template;

extern uint64 template_cache_generation;

extern void template_cache_init(void);
extern void template_cache_watch_catalog(void);
extern Template *template_get(const char *name, int len);

#endif							/* BUYING_GROUP_TEMPLATE_H */
