"""The review card's lifecycle in Discord, one job per module (issue 19 part 4).

``channels`` (where cards go: the review text channel or forum), ``cards`` (posting pending
suggestions as cards, adopting cards posted before a crash, editing a card to match its state,
waking snoozed ones), ``buttons`` (the persistent Approve / Keep / Reject / Needs info / Edit
buttons and their modals), ``listing`` (the compact "also above the line" message and its promote
menu), ``threads`` (a card's discussion thread: opened, told the decision, archived),
``reactions`` (deciding by ✅ / ❌ on a card), ``access`` (the runtime moderator check every click
passes). :mod:`cogs.review` only wires these to Discord's events. Every decision goes through
:mod:`bot.review.actions`; every embed comes from :mod:`bot.present.review`.

Nothing is imported here, so that importing one module loads only what it needs.
"""
