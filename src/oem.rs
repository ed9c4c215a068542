//! OEM code pages for RAP strings (MS-RAP 2.4: 8-bit, never Unicode).
