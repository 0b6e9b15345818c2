// The browser's IANA time zone, e.g. "Europe/Berlin", for times shown in the viewer's zone.
window.portalTime = { zone: () => Intl.DateTimeFormat().resolvedOptions().timeZone };
