/*
 * match.h
 *		Templates bound to a row type, shared by the matching and explain functions.
 */
#ifndef BUYING_GROUP_MATCH_H
#define BUYING_GROUP_MATCH_H

#include "postgres.h"

#include "fmgr.h"

#include "rule.h"
#include "template.h"

/* A template whose role conditions are bound to one row type. */
typedef struct BoundTemplate
{
	Template   *tmpl;			/* valid while generation is current */
	char	   *name;			/* the template's name, a copy */
	RuleBinding *binding;
	BoundRule **roles;			/* parallel to tmpl->roles; NULL: no conditions */
	Oid			typid;
	int32		typmod;
	uint64		generation;
} BoundTemplate;

extern BoundTemplate *match_prepare(FunctionCallInfo fcinfo, text *template_name,
									HeapTupleHeader row);
extern BoundTemplate *match_bind(const char *name, TupleDesc tupdesc, MemoryContext parent);
extern bool match_role_holds(BoundTemplate *bt, int i);
extern int	match_first_role(BoundTemplate *bt);

#endif							/* BUYING_GROUP_MATCH_H */
