/* Intrusive doubly linked lists, the kernel's list_head idiom. */
#ifndef VMEMU_MM_LIST_H
#define VMEMU_MM_LIST_H

#include <stddef.h>

struct list_head {
    struct list_head *next, *prev;
};

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define LIST_HEAD_INIT(name)                                                                       \
    {                                                                                              \
        &(name), &(name)                                                                           \
    }

static inline void INIT_LIST_HEAD(struct list_head *h)
{
    h->next = h;
    h->prev = h;
}

static inline void list_insert_between(struct list_head *n, struct list_head *prev,
                                       struct list_head *next)
{
    next->prev = n;
    n->next = next;
    n->prev = prev;
    prev->next = n;
}

/* Add at the head: the list behaves as a stack. */
static inline void list_add(struct list_head *n, struct list_head *head)
{
    list_insert_between(n, head, head->next);
}

/* Add at the tail: the list behaves as a queue. */
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
    list_insert_between(n, head->prev, head);
}

static inline void list_del(struct list_head *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->next = e->prev = e;
}

static inline int list_empty(const struct list_head *h)
{
    return h->next == h;
}

/* Exactly one entry. */
static inline int list_is_singular(const struct list_head *h)
{
    return !list_empty(h) && h->next == h->prev;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)

#define list_for_each_entry(pos, head, member)                                                     \
    for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head);         \
         pos = list_entry(pos->member.next, __typeof__(*pos), member))

#define list_for_each_entry_safe(pos, n, head, member)                                             \
    for (pos = list_entry((head)->next, __typeof__(*pos), member),                                 \
        n = list_entry(pos->member.next, __typeof__(*pos), member);                                \
         &pos->member != (head); pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

#endif
