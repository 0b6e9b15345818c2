// Keeps "(n) " before the tab's title while n gates wait for the signed-in person, whatever title each page sets.
window.kmpTitleCount = (() => {
    let count = 0;
    let watching = false;
    const apply = () => {
        const base = document.title.replace(/^\(\d+\) /, "");
        const wanted = count > 0 ? `(${count}) ${base}` : base;
        if (document.title !== wanted) document.title = wanted;
    };
    return {
        set(n) {
            count = n;
            apply();
            if (!watching) {
                watching = true;
                new MutationObserver(apply).observe(document.head, { subtree: true, childList: true, characterData: true });
            }
        },
    };
})();
