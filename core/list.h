/* SPDX-License-Identifier: MIT */
/*
 * A minimal intrusive doubly linked list, kernel style: the node lives inside
 * the object, so linking never allocates and unlinking never fails. An
 * object that sits on two lists has two nodes, and each walk names the node
 * it follows: walking a list through the wrong node is the bug class this
 * shape makes visible at the call site.
 */
#ifndef IOFD_CORE_LIST_H
#define IOFD_CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct iofd_list {
	struct iofd_list *next;
	struct iofd_list *prev;
};

#define iofd_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void iofd_list_init(struct iofd_list *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool iofd_list_empty(const struct iofd_list *head)
{
	return head->next == head;
}

/* Link @node last, before @head. */
static inline void iofd_list_add_tail(struct iofd_list *head,
				      struct iofd_list *node)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

/* Unlink @node and leave it self-linked, so a second del is harmless. */
static inline void iofd_list_del(struct iofd_list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	iofd_list_init(node);
}

static inline size_t iofd_list_count(const struct iofd_list *head)
{
	const struct iofd_list *n;
	size_t count = 0;

	for (n = head->next; n != head; n = n->next)
		count++;
	return count;
}

/* The @idx-th node (from 0), or NULL past the end. */
static inline struct iofd_list *iofd_list_nth(const struct iofd_list *head,
					      size_t idx)
{
	struct iofd_list *n;

	for (n = head->next; n != head; n = n->next)
		if (idx-- == 0)
			return n;
	return NULL;
}

#define iofd_list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* Safe against unlinking @pos inside the body. */
#define iofd_list_for_each_safe(pos, tmp, head) \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif /* IOFD_CORE_LIST_H */
