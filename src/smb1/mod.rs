//! Sans-IO SMB1 layer (MS-CIFS): framing, messages, transactions.
