//! PrintQueue0–5 (MS-RAP 2.5.7.8.1–2.5.7.8.4), the structures of
//! NetPrintQEnum and NetPrintQGetInfo, and the PRQ_* queue status values.
//!
//! Levels 2 and 4 are PrintQueue1 and PrintQueue3 whose PrintJobCount is an
//! AUXCOUNT (`N`): each is followed by that many PrintJobInfo1 (level 2) or
//! PrintJobInfo2 (level 4) auxiliary structures (MS-RAP 2.5.7.1.1, 2.5.11).

/// PRQ_ACTIVE: the queue is active (MS-RAP 2.5.7.8.2).
pub const PRQ_ACTIVE: u16 = 0;
/// PRQ_PAUSE: the queue is paused.
pub const PRQ_PAUSE: u16 = 1;
/// PRQ_ERROR: the queue has an error.
pub const PRQ_ERROR: u16 = 2;
/// PRQ_PENDING: the queue is being deleted.
pub const PRQ_PENDING: u16 = 3;

crate::rap_struct! {
    /// PrintQueue0 (MS-RAP 2.5.7.8.1), `B13`.
    pub struct PrintQueue0<'a> {
        /// PrintQName: at most 12 OEM bytes.
        print_q_name: B 13,
    }
}

crate::rap_struct! {
    /// PrintQueue1 (MS-RAP 2.5.7.8.2), `B13BWWWzzzzzWW`: NetPrintQEnum /
    /// NetPrintQGetInfo level 1.
    pub struct PrintQueue1<'a> {
        /// PrintQName: at most 12 OEM bytes.
        print_q_name: B 13,
        _: B,
        /// Priority: 1 (highest) to 9.
        priority: W,
        /// StartTime: minutes after midnight from which jobs print.
        start_time: W,
        /// UntilTime: minutes after midnight until which jobs print.
        until_time: W,
        /// SeparatorPageFilename.
        separator_page_filename: z,
        /// PrintProcessorDllName.
        print_processor_dll_name: z,
        /// PrintDestinationsName.
        print_destinations_name: z,
        /// PrintParameterString.
        print_parameter_string: z,
        /// CommentString.
        comment_string: z,
        /// PrintQStatus (PRQ_*).
        print_q_status: W [QueueStatus],
        /// PrintJobCount.
        print_job_count: W,
    }
}

crate::rap_struct! {
    /// PrintQueue1 as NetPrintQEnum / NetPrintQGetInfo level 2 sends it,
    /// `B13BWWWzzzzzWN`: PrintJobCount PrintJobInfo1 structures follow.
    pub struct PrintQueue2<'a> {
        /// PrintQName: at most 12 OEM bytes.
        print_q_name: B 13,
        _: B,
        /// Priority: 1 (highest) to 9.
        priority: W,
        /// StartTime: minutes after midnight.
        start_time: W,
        /// UntilTime: minutes after midnight.
        until_time: W,
        /// SeparatorPageFilename.
        separator_page_filename: z,
        /// PrintProcessorDllName.
        print_processor_dll_name: z,
        /// PrintDestinationsName.
        print_destinations_name: z,
        /// PrintParameterString.
        print_parameter_string: z,
        /// CommentString.
        comment_string: z,
        /// PrintQStatus (PRQ_*).
        print_q_status: W [QueueStatus],
        /// PrintJobCount: the number of PrintJobInfo1 structures that follow.
        print_job_count: N,
    }
}

crate::rap_struct! {
    /// PrintQueue3 (MS-RAP 2.5.7.8.3), `zWWWWzzzzWWzzl`: level 3.
    pub struct PrintQueue3<'a> {
        /// PrintQueueName.
        print_queue_name: z,
        /// Priority: 1 (highest) to 9.
        priority: W,
        /// StartTime: minutes after midnight.
        start_time: W,
        /// UntilTime: minutes after midnight.
        until_time: W,
        _: W,
        /// SeparatorPageFilename.
        separator_page_filename: z,
        /// PrintProcessorDllName.
        print_processor_dll_name: z,
        /// PrintParameterString.
        print_parameter_string: z,
        /// CommentString.
        comment_string: z,
        /// PrintQStatus (PRQ_*).
        print_q_status: W [QueueStatus],
        /// PrintJobCount.
        print_job_count: W,
        /// Printers.
        printers: z,
        /// DriverName.
        driver_name: z,
        /// PrintDriverData: a buffer whose first two bytes are its length.
        print_driver_data: l,
    }
}

crate::rap_struct! {
    /// PrintQueue3 as level 4 sends it, `zWWWWzzzzWNzzl`: PrintJobCount
    /// PrintJobInfo2 structures follow.
    pub struct PrintQueue4<'a> {
        /// PrintQueueName.
        print_queue_name: z,
        /// Priority: 1 (highest) to 9.
        priority: W,
        /// StartTime: minutes after midnight.
        start_time: W,
        /// UntilTime: minutes after midnight.
        until_time: W,
        _: W,
        /// SeparatorPageFilename.
        separator_page_filename: z,
        /// PrintProcessorDllName.
        print_processor_dll_name: z,
        /// PrintParameterString.
        print_parameter_string: z,
        /// CommentString.
        comment_string: z,
        /// PrintQStatus (PRQ_*).
        print_q_status: W [QueueStatus],
        /// PrintJobCount: the number of PrintJobInfo2 structures that follow.
        print_job_count: N,
        /// Printers.
        printers: z,
        /// DriverName.
        driver_name: z,
        /// PrintDriverData: a buffer whose first two bytes are its length.
        print_driver_data: l,
    }
}

crate::rap_struct! {
    /// PrintQueue5 (MS-RAP 2.5.7.8.4), `z`: level 5.
    pub struct PrintQueue5<'a> {
        /// PrintQueueName.
        print_queue_name: z,
    }
}

crate::rap_levels! {
    /// One PrintQueue structure of any level (without its auxiliary jobs).
    pub enum PrintQueueInfo<'a> {
        0 => Level0(PrintQueue0<'a>),
        1 => Level1(PrintQueue1<'a>),
        2 => Level2(PrintQueue2<'a>),
        3 => Level3(PrintQueue3<'a>),
        4 => Level4(PrintQueue4<'a>),
        5 => Level5(PrintQueue5<'a>),
    }
}
