/*
 * shim.c
 *		Just enough of the PostgreSQL backend for the rule parser to run in a
 *		libFuzzer process: memory contexts over malloc (every chunk of a
 *		context freed with it, reset callbacks called), ereport that unwinds
 *		to PG_exception_stack, StringInfo, UTF-8 helpers. The regex engine is
 *		not linked: patterns of "matches" always compile here (the regress
 *		suite covers its errors in the server).
 */
#include "postgres.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/memnodes.h"
#include "regex/regex.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

/* the C library's formatting and sorting (port.h maps them to src/port's, not linked here) */
#undef vsnprintf
#undef qsort

/* A context: its chunks (a doubly linked list) and reset callbacks. */
typedef struct ShimChunk
{
	struct ShimChunk *prev;
	struct ShimChunk *next;
	struct ShimContext *owner;
	max_align_t pad;
} ShimChunk;

typedef struct ShimContext
{
	ShimChunk	chunks;			/* list head */
	MemoryContextCallback *callbacks;
} ShimContext;

MemoryContext CurrentMemoryContext = NULL;
sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;
volatile sig_atomic_t InterruptPending = false;

static int	shim_elevel;

/* A new empty context. */
MemoryContext
shim_context_create(void)
{
	ShimContext *c = calloc(1, sizeof(ShimContext));

	if (c == NULL)
		abort();
	c->chunks.prev = c->chunks.next = &c->chunks;
	return (MemoryContext) c;
}

/* Frees every chunk of a context after calling its callbacks, and the context. */
void
MemoryContextDelete(MemoryContext context)
{
	ShimContext *c = (ShimContext *) context;

	while (c->callbacks != NULL)
	{
		MemoryContextCallback *cb = c->callbacks;

		c->callbacks = cb->next;
		cb->func(cb->arg);
	}
	while (c->chunks.next != &c->chunks)
	{
		ShimChunk  *ch = c->chunks.next;

		ch->prev->next = ch->next;
		ch->next->prev = ch->prev;
		free(ch);
	}
	if (CurrentMemoryContext == context)
		CurrentMemoryContext = NULL;
	free(c);
}

MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name, Size minContextSize,
							  Size initBlockSize, Size maxBlockSize)
{
	return shim_context_create();
}

void
MemoryContextRegisterResetCallback(MemoryContext context, MemoryContextCallback *cb)
{
	ShimContext *c = (ShimContext *) context;

	cb->next = c->callbacks;
	c->callbacks = cb;
}

/* Allocates size bytes in a context. */
static void *
shim_alloc(ShimContext *c, Size size, bool zero)
{
	ShimChunk  *ch = zero ? calloc(1, sizeof(ShimChunk) + size) : malloc(sizeof(ShimChunk) + size);

	if (ch == NULL)
		abort();
	ch->owner = c;
	ch->next = c->chunks.next;
	ch->prev = &c->chunks;
	c->chunks.next->prev = ch;
	c->chunks.next = ch;
	return ch + 1;
}

void *
palloc(Size size)
{
	return shim_alloc((ShimContext *) CurrentMemoryContext, size, false);
}

void *
palloc0(Size size)
{
	return shim_alloc((ShimContext *) CurrentMemoryContext, size, true);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return shim_alloc((ShimContext *) context, size, false);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return shim_alloc((ShimContext *) context, size, true);
}

void
pfree(void *pointer)
{
	ShimChunk  *ch = ((ShimChunk *) pointer) - 1;

	ch->prev->next = ch->next;
	ch->next->prev = ch->prev;
	free(ch);
}

void *
repalloc(void *pointer, Size size)
{
	ShimChunk  *ch = ((ShimChunk *) pointer) - 1;
	ShimContext *c = ch->owner;
	void	   *n = shim_alloc(c, size, false);
	Size		old = malloc_usable_size(ch) - sizeof(ShimChunk);

	memcpy(n, pointer, Min(old, size));
	pfree(pointer);
	return n;
}

char *
pstrdup(const char *in)
{
	return pnstrdup(in, strlen(in));
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *out;

	len = strnlen(in, len);
	out = palloc(len + 1);
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

char *
psprintf(const char *fmt,...)
{
	va_list		args;
	int			n;
	char	   *out;

	va_start(args, fmt);
	n = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	out = palloc(n + 1);
	va_start(args, fmt);
	vsnprintf(out, n + 1, fmt, args);
	va_end(args);
	return out;
}

/* ereport: remembers the level; errfinish unwinds errors. */
bool
errstart(int elevel, const char *domain)
{
	shim_elevel = elevel;
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (shim_elevel >= ERROR)
		pg_re_throw();
}

int
errcode(int sqlerrcode)
{
	return 0;
}

int
errmsg(const char *fmt,...)
{
	return 0;
}

int
errdetail(const char *fmt,...)
{
	return 0;
}

int
errhint(const char *fmt,...)
{
	return 0;
}

void
pg_re_throw(void)
{
	if (PG_exception_stack == NULL)
		abort();
	siglongjmp(*PG_exception_stack, 1);
}

void
ProcessInterrupts(void)
{
}

/* StringInfo over palloc. */
void
initStringInfo(StringInfo str)
{
	str->maxlen = 1024;
	str->data = palloc(str->maxlen);
	str->len = 0;
	str->data[0] = '\0';
	str->cursor = 0;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	needed += str->len + 1;
	if (needed <= str->maxlen)
		return;
	while (str->maxlen < needed)
		str->maxlen *= 2;
	str->data = repalloc(str->data, str->maxlen);
}

int
appendStringInfoVA(StringInfo str, const char *fmt, va_list args)
{
	int			avail = str->maxlen - str->len;
	int			n = vsnprintf(str->data + str->len, avail, fmt, args);

	if (n < avail)
	{
		str->len += n;
		return 0;
	}
	str->data[str->len] = '\0';
	return n + 1;
}

void
appendBinaryStringInfo(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

void
appendStringInfoString(StringInfo str, const char *s)
{
	appendBinaryStringInfo(str, s, strlen(s));
}

void
appendStringInfoChar(StringInfo str, char ch)
{
	appendBinaryStringInfo(str, &ch, 1);
}

/* Encodings: the database is UTF-8. */
int
GetDatabaseEncoding(void)
{
	return PG_UTF8;
}

char *
pg_any_to_server(const char *s, int len, int encoding)
{
	return (char *) s;
}

char *
pg_server_to_any(const char *s, int len, int encoding)
{
	return (char *) s;
}

int
pg_mblen(const char *mbstr)
{
	unsigned char c = (unsigned char) *mbstr;

	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

int
pg_mb2wchar_with_len(const char *from, pg_wchar *to, int len)
{
	int			i;

	for (i = 0; i < len; i++)
		to[i] = (unsigned char) from[i];
	to[len] = 0;
	return len;
}

char *
str_tolower(const char *buff, size_t nbytes, Oid collid)
{
	char	   *out = pnstrdup(buff, nbytes);
	size_t		i;

	for (i = 0; out[i]; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] += 'a' - 'A';
	return out;
}

void
pg_qsort(void *base, size_t nel, size_t elsize, int (*cmp) (const void *, const void *))
{
	qsort(base, nel, elsize, cmp);
}

char *
float8out_internal(double num)
{
	return psprintf("%.17g", num);
}

/* The regex engine is the server's; here every pattern compiles. */
int
pg_regcomp(regex_t *re, const pg_wchar *string, size_t len, int flags, Oid collation)
{
	return REG_OKAY;
}

size_t
pg_regerror(int errcode, const regex_t *preg, char *errbuf, size_t errbuf_size)
{
	if (errbuf_size > 0)
		errbuf[0] = '\0';
	return 0;
}

void
pg_regfree(regex_t *re)
{
}

/* Reached only by the SQL-callable functions of title.c, never by the parser. */
text *
cstring_to_text(const char *s)
{
	abort();
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	abort();
}
