# The layers of the project and who may include whom (docs/architecture.md draws
# them). The compiler enforces this table: every target compiles with one include
# directory of its own, build/layers/<target>/, which holds links to exactly the folders
# and public headers the target may include. An #include of anything else fails with
# "No such file or directory", and tests/layering/ checks that it does.
#
#   sl_layer(<layer> [FOLDERS folder...] [HEADERS header...] [SEES layer...] [SHARED])
#     FOLDERS  the layer's source folders (its private headers live there);
#     HEADERS  the public headers it owns, relative to include/smartlicensing/;
#     SEES     the layers directly below it that it may use (the closure counts:
#              what a lower layer sees is seen too);
#     SHARED   its folders are visible to the layers above (base, protocol: internal
#              libraries used across the project). Other layers show the layers above
#              only their public headers.
#
#   sl_layer_view(<target> INSIDE layer...)
#     Gives <target> the view of code that lives inside those layers: their folders
#     and headers, plus what they see. A library is inside its own layer; a test or a
#     benchmark is inside the layer it tests and `testing`.

set(SL_LAYERS_DIR ${CMAKE_BINARY_DIR}/layers)

function(sl_layer layer)
  cmake_parse_arguments(L "SHARED" "" "FOLDERS;HEADERS;SEES" ${ARGN})
  set_property(GLOBAL PROPERTY SL_LAYER_${layer}_FOLDERS ${L_FOLDERS})
  set_property(GLOBAL PROPERTY SL_LAYER_${layer}_HEADERS ${L_HEADERS})
  set_property(GLOBAL PROPERTY SL_LAYER_${layer}_SEES ${L_SEES})
  set_property(GLOBAL PROPERTY SL_LAYER_${layer}_SHARED ${L_SHARED})
  set_property(GLOBAL APPEND PROPERTY SL_LAYERS ${layer})
endfunction()

# Every layer below `layer` (not itself), through SEES.
function(sl_layer_closure layer out)
  set(result "")
  get_property(pending GLOBAL PROPERTY SL_LAYER_${layer}_SEES)
  while(pending)
    list(POP_FRONT pending next)
    if(NOT next IN_LIST result)
      list(APPEND result ${next})
      get_property(below GLOBAL PROPERTY SL_LAYER_${next}_SEES)
      list(APPEND pending ${below})
    endif()
  endwhile()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# Links <source>/<from> as <view>/<as>.
function(sl_link_into view from as)
  get_filename_component(parent ${view}/${as} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${from} ${view}/${as} SYMBOLIC)
endfunction()

function(sl_layer_view target)
  cmake_parse_arguments(V "" "" "INSIDE" ${ARGN})
  set(view ${SL_LAYERS_DIR}/${target})
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view})
  set(inside ${V_INSIDE})
  set(below "")
  foreach(layer ${V_INSIDE})
    get_property(known GLOBAL PROPERTY SL_LAYER_${layer}_FOLDERS SET)
    if(NOT known)
      message(FATAL_ERROR "sl_layer_view(${target}): no layer '${layer}' in cmake/Layers.cmake")
    endif()
    sl_layer_closure(${layer} closure)
    list(APPEND below ${closure})
  endforeach()
  list(REMOVE_DUPLICATES below)
  foreach(layer ${V_INSIDE} ${below})
    get_property(folders GLOBAL PROPERTY SL_LAYER_${layer}_FOLDERS)
    get_property(headers GLOBAL PROPERTY SL_LAYER_${layer}_HEADERS)
    get_property(shared GLOBAL PROPERTY SL_LAYER_${layer}_SHARED)
    foreach(header ${headers})
      sl_link_into(${view} include/smartlicensing/${header} smartlicensing/${header})
    endforeach()
    if(layer IN_LIST inside OR shared)
      foreach(folder ${folders})
        sl_link_into(${view} ${folder} ${folder})
      endforeach()
    endif()
  endforeach()
  target_include_directories(${target} PRIVATE ${view})
endfunction()

# ---- The table ----------------------------------------------------------------------

sl_layer(base SHARED
  FOLDERS base
  HEADERS status.h time_source.h)
sl_layer(protocol SHARED
  FOLDERS protocol
  HEADERS licensing_terms.h
  SEES base)
sl_layer(seam
  FOLDERS seam
  HEADERS transport.h
  SEES base)
sl_layer(agent
  FOLDERS agent
  HEADERS agent.h state_store.h device_identity.h device_secret.h device_directory.h device_key_store.h
          core_dumps.h
  SEES protocol seam)
sl_layer(transport
  FOLDERS transport
  HEADERS curl_transport.h
  SEES seam)
sl_layer(mock_cssm
  FOLDERS mock_cssm
  HEADERS mock_cssm.h
  SEES protocol)
sl_layer(expressway
  FOLDERS expressway
  HEADERS expressway/license_types.h expressway/option_keys.h expressway/calls.h
          expressway/capacity.h expressway/registrations.h expressway/usage.h
  SEES agent)
sl_layer(cli
  FOLDERS cli
  SEES agent transport)
# The libFuzzer harnesses (SL_FUZZ=ON): each sees the layer it fuzzes, inside, as a test
# does (sl_add_fuzzer in fuzz/CMakeLists.txt); nothing includes fuzz/.
sl_layer(fuzz
  FOLDERS fuzz
  SEES agent mock_cssm)
# Test doubles and fixtures shared by tests/ and bench/ (never by the product).
sl_layer(testing SHARED
  FOLDERS testing
  SEES agent transport mock_cssm)
