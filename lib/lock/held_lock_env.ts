// with-scrape-lock tells its command which lock it holds, so a writer it runs does not wait for its own parent.
export const HELD_LOCK_ENV = "DCE_SCRAPE_LOCK_HELD";
export const HELD_TOKEN_ENV = "DCE_SCRAPE_LOCK_TOKEN";
