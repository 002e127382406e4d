/*
 * fuzz_rule_parse.c
 *		libFuzzer entry point: every input is handed to rule_parse() as a rule
 *		document. A rule either compiles or raises its error (caught here, as
 *		the server would); anything else (a crash, a sanitizer report, a leak,
 *		a hang) is a finding.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "rule.h"

extern MemoryContext shim_context_create(void);

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses one input, under its own top context freed afterwards. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MemoryContext top = shim_context_create();
	sigjmp_buf	local;

	CurrentMemoryContext = top;
	PG_exception_stack = &local;
	if (sigsetjmp(local, 0) == 0)
	{
		Rule	   *rule = rule_parse((const char *) data, size, top);

		rule_free(rule);
	}
	PG_exception_stack = NULL;
	MemoryContextDelete(top);
	return 0;
}
