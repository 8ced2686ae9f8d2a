/* A person's phones and notifications (sql/functions/notifications.sql):
 * push tokens registered per login, quiet hours and the lock-screen
 * setting, the notification history with its read marks and its feed. */
#ifndef QLVB_API_NOTICES_H
#define QLVB_API_NOTICES_H
struct req;
void devices_put(struct req *r);
void devices_delete(struct req *r);
void devices_list(struct req *r);
void notice_settings_get(struct req *r);
void notice_settings_put(struct req *r);
void notices_list(struct req *r);
void notices_changes(struct req *r);
void notices_read(struct req *r);
#endif
