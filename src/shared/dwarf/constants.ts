/**
 * DWARF numbers, named as the DWARF 5 specification names them (section 7, "Data
 * Representation"; tables 7.3 unit types, 7.5 tags, 7.5 attributes, 7.6 forms, 7.25–7.27 line
 * number opcodes, 7.30 range list entries). Only what the reader in this folder uses; the one
 * home for these numbers. GNU extensions are marked as such.
 */

/** Table 7.2: unit header unit_type (DWARF 5). */
export const DW_UT_compile = 0x01
export const DW_UT_type = 0x02
export const DW_UT_partial = 0x03
export const DW_UT_skeleton = 0x04
export const DW_UT_split_compile = 0x05
export const DW_UT_split_type = 0x06

/** Table 7.3: tags. */
export const DW_TAG_class_type = 0x02
export const DW_TAG_enumeration_type = 0x04
export const DW_TAG_lexical_block = 0x0b
export const DW_TAG_structure_type = 0x13
export const DW_TAG_union_type = 0x17
export const DW_TAG_compile_unit = 0x11
export const DW_TAG_inlined_subroutine = 0x1d
export const DW_TAG_subprogram = 0x2e
export const DW_TAG_namespace = 0x39
export const DW_TAG_partial_unit = 0x3c
export const DW_TAG_skeleton_unit = 0x4a

/** Table 7.5: attributes. */
export const DW_AT_location = 0x02
export const DW_AT_name = 0x03
export const DW_AT_stmt_list = 0x10
export const DW_AT_low_pc = 0x11
export const DW_AT_high_pc = 0x12
export const DW_AT_comp_dir = 0x1b
export const DW_AT_producer = 0x25
export const DW_AT_abstract_origin = 0x31
export const DW_AT_decl_file = 0x3a
export const DW_AT_decl_line = 0x3b
export const DW_AT_declaration = 0x3c
export const DW_AT_specification = 0x47
export const DW_AT_entry_pc = 0x52
export const DW_AT_ranges = 0x55
export const DW_AT_call_column = 0x57
export const DW_AT_call_file = 0x58
export const DW_AT_call_line = 0x59
export const DW_AT_linkage_name = 0x6e
export const DW_AT_str_offsets_base = 0x72
export const DW_AT_addr_base = 0x73
export const DW_AT_rnglists_base = 0x74
/** GNU / SGI extension used by older compilers for the mangled name. */
export const DW_AT_MIPS_linkage_name = 0x2007

/** Table 7.6: attribute forms. */
export const DW_FORM_addr = 0x01
export const DW_FORM_block2 = 0x03
export const DW_FORM_block4 = 0x04
export const DW_FORM_data2 = 0x05
export const DW_FORM_data4 = 0x06
export const DW_FORM_data8 = 0x07
export const DW_FORM_string = 0x08
export const DW_FORM_block = 0x09
export const DW_FORM_block1 = 0x0a
export const DW_FORM_data1 = 0x0b
export const DW_FORM_flag = 0x0c
export const DW_FORM_sdata = 0x0d
export const DW_FORM_strp = 0x0e
export const DW_FORM_udata = 0x0f
export const DW_FORM_ref_addr = 0x10
export const DW_FORM_ref1 = 0x11
export const DW_FORM_ref2 = 0x12
export const DW_FORM_ref4 = 0x13
export const DW_FORM_ref8 = 0x14
export const DW_FORM_ref_udata = 0x15
export const DW_FORM_indirect = 0x16
export const DW_FORM_sec_offset = 0x17
export const DW_FORM_exprloc = 0x18
export const DW_FORM_flag_present = 0x19
export const DW_FORM_strx = 0x1a
export const DW_FORM_addrx = 0x1b
export const DW_FORM_ref_sup4 = 0x1c
export const DW_FORM_strp_sup = 0x1d
export const DW_FORM_data16 = 0x1e
export const DW_FORM_line_strp = 0x1f
export const DW_FORM_ref_sig8 = 0x20
export const DW_FORM_implicit_const = 0x21
export const DW_FORM_loclistx = 0x22
export const DW_FORM_rnglistx = 0x23
export const DW_FORM_ref_sup8 = 0x24
export const DW_FORM_strx1 = 0x25
export const DW_FORM_strx2 = 0x26
export const DW_FORM_strx3 = 0x27
export const DW_FORM_strx4 = 0x28
export const DW_FORM_addrx1 = 0x29
export const DW_FORM_addrx2 = 0x2a
export const DW_FORM_addrx3 = 0x2b
export const DW_FORM_addrx4 = 0x2c
/** GNU extensions (split DWARF before DWARF 5, and dwz's alternate files). */
export const DW_FORM_GNU_addr_index = 0x1f01
export const DW_FORM_GNU_str_index = 0x1f02
export const DW_FORM_GNU_ref_alt = 0x1f20
export const DW_FORM_GNU_strp_alt = 0x1f21

/** Table 7.25: standard line number opcodes. */
export const DW_LNS_copy = 0x01
export const DW_LNS_advance_pc = 0x02
export const DW_LNS_advance_line = 0x03
export const DW_LNS_set_file = 0x04
export const DW_LNS_set_column = 0x05
export const DW_LNS_negate_stmt = 0x06
export const DW_LNS_set_basic_block = 0x07
export const DW_LNS_const_add_pc = 0x08
export const DW_LNS_fixed_advance_pc = 0x09
export const DW_LNS_set_prologue_end = 0x0a
export const DW_LNS_set_epilogue_begin = 0x0b
export const DW_LNS_set_isa = 0x0c

/** Table 7.26: extended line number opcodes. */
export const DW_LNE_end_sequence = 0x01
export const DW_LNE_set_address = 0x02
export const DW_LNE_define_file = 0x03
export const DW_LNE_set_discriminator = 0x04

/** Table 7.27: line number header entry formats (DWARF 5). */
export const DW_LNCT_path = 0x1
export const DW_LNCT_directory_index = 0x2
export const DW_LNCT_timestamp = 0x3
export const DW_LNCT_size = 0x4
export const DW_LNCT_MD5 = 0x5

/** Table 7.30: range list entries (DWARF 5 .debug_rnglists). */
export const DW_RLE_end_of_list = 0x00
export const DW_RLE_base_addressx = 0x01
export const DW_RLE_startx_endx = 0x02
export const DW_RLE_startx_length = 0x03
export const DW_RLE_offset_pair = 0x04
export const DW_RLE_base_address = 0x05
export const DW_RLE_start_end = 0x06
export const DW_RLE_start_length = 0x07

/** ELF gABI "Compressed Sections": the section flag and the Chdr ch_type values. */
export const SHF_COMPRESSED = 0x800
export const ELFCOMPRESS_ZLIB = 1
export const ELFCOMPRESS_ZSTD = 2
