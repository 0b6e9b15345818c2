// The browser's IANA time zone, e.g. "Europe/Berlin", for times shown in the viewer's zone.
window.portalTime = { zone: () => Intl.DateTimeFormat().resolvedOptions().timeZone };

// Brings the run's current step (or the gate waiting for a decision) into view, as the run moves.
window.portalScroll = {
    intoView: (selector) => document.querySelector(selector)?.scrollIntoView({ block: "center", behavior: "smooth" }),
};

window.portalClipboard = { copy: (text) => navigator.clipboard.writeText(text) };
