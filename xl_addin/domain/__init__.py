"""The clinic's routine as pure functions over frozen records: no Excel, no files, no clock.

Glossary (Swedish term → the one English identifier used in code):

- grupp → group; gruppledare → group_leader; tillfälle → session; deltagare → participant
- vårdnadshavare → guardian; personnummer → personal_number; samordningsnummer → coordination number
- närvaro → attendance; deltog → attended; uteblivet besök / uteblev → no_show
- avbokning → cancellation; avbokningsorsak → cancellation_reason
- besöksregistrering → visit_registration; besökstyp → visit_type; åtgärdskod → action_code
- sekundärbokning → secondary_booking; journaltext → journal_text
- lista klar → roster_ready; sista dag för lista → roster_deadline
- intresseanmälan → interest_registration; vårdgaranti → care_guarantee
- planeringsunderlag → planning_entry; undantag (PVV/MOV) → exemption
- att göra → tasks; förfaller → due; kontroll → check; inställningar → settings
"""
