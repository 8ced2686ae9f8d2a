-- A third kind of "phone": an address at another system that relays the
-- push (an SMS gateway), reached by an HMAC-SHA256-signed webhook; its
-- token is the address there (a phone number).
ALTER TABLE devices DROP CONSTRAINT devices_platform_check;
ALTER TABLE devices ADD CONSTRAINT devices_platform_check CHECK (platform IN ('fcm', 'apns', 'webhook'));
