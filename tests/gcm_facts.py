"""Facts of the final text (A/73/L.66) that several tests check, written once.

Each was checked by hand against corpus/003_4d3bf2ee86e6cb1c.txt: the titles as printed in
the objectives' headings, the action letters between one objective heading and the next, the
names of the guiding principles in paragraph 15.  The Zero Draft Plus prints the same ten
principle names.
"""

from __future__ import annotations

# The 23 objectives' titles, in order.
OBJECTIVE_TITLES = [
    "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies",
    "Minimize the adverse drivers and structural factors that compel people to leave their country of origin",
    "Provide accurate and timely information at all stages of migration",
    "Ensure that all migrants have proof of legal identity and adequate documentation",
    "Enhance availability and flexibility of pathways for regular migration",
    "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work",
    "Address and reduce vulnerabilities in migration",
    "Save lives and establish coordinated international efforts on missing migrants",
    "Strengthen the transnational response to smuggling of migrants",
    "Prevent, combat and eradicate trafficking in persons in the context of international migration",
    "Manage borders in an integrated, secure and coordinated manner",
    "Strengthen certainty and predictability in migration procedures for appropriate screening, assessment and referral",
    "Use immigration detention only as a measure of last resort and work towards alternatives",
    "Enhance consular protection, assistance and cooperation throughout the migration cycle",
    "Provide access to basic services for migrants",
    "Empower migrants and societies to realize full inclusion and social cohesion",
    "Eliminate all forms of discrimination and promote evidence-based public discourse to shape perceptions of migration",
    "Invest in skills development and facilitate mutual recognition of skills, qualifications and competences",
    "Create conditions for migrants and diasporas to fully contribute to sustainable development in all countries",
    "Promote faster, safer and cheaper transfer of remittances and foster financial inclusion of migrants",
    "Cooperate in facilitating safe and dignified return and readmission, as well as sustainable reintegration",
    "Establish mechanisms for the portability of social security entitlements and earned benefits",
    "Strengthen international cooperation and global partnerships for safe, orderly and regular migration",
]

# Objective number -> (commitment paragraph, the action letters as printed).
OBJECTIVE_ACTIONS: dict[int, tuple[int, str]] = {
    1: (17, "abcdefghijk"),
    2: (18, "abcdefghijkl"),
    3: (19, "abcde"),
    4: (20, "abcdefg"),
    5: (21, "abcdefghij"),
    6: (22, "abcdefghijkl"),
    7: (23, "abcdefghijkl"),
    8: (24, "abcdef"),
    9: (25, "abcdef"),
    10: (26, "abcdefghij"),
    11: (27, "abcdefg"),
    12: (28, "abcde"),
    13: (29, "abcdefgh"),
    14: (30, "abcdef"),
    15: (31, "abcdef"),
    16: (32, "abcdefghi"),
    17: (33, "abcdefg"),
    18: (34, "abcdefghijkl"),
    19: (35, "abcdefghij"),
    20: (36, "abcdefghi"),
    21: (37, "abcdefghi"),
    22: (38, "abc"),
    23: (39, "abcde"),
}

# The ten guiding principles of paragraph 15, (a) to (j).
GUIDING_PRINCIPLES = [
    "People-centred",
    "International cooperation",
    "National sovereignty",
    "Rule of law and due process",
    "Sustainable development",
    "Human rights",
    "Gender-responsive",
    "Child-sensitive",
    "Whole-of-government approach",
    "Whole-of-society approach",
]

# Values for the saved-query parameters that have no default (a search needs something to look
# for): "disaggregated data" is in objective 1's title.
SAVED_QUERY_EXAMPLES: dict[str, dict[str, str]] = {"search": {"phrase": "disaggregated data"}}
