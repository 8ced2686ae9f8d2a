/* The working-day calendar of the province (sql/functions/calendar.sql):
 * anyone signed in reads a year and computes a deadline in working days; a
 * holder of the calendar role enters, changes and removes days. */
#ifndef QLVB_API_CALENDAR_H
#define QLVB_API_CALENDAR_H
struct req;
void calendar_year(struct req *r);
void calendar_deadline(struct req *r);
void calendar_day_put(struct req *r);
void calendar_day_delete(struct req *r);
#endif
